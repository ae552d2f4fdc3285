//! Table rows as passages: a renewals tracker or a comparison matrix keeps its facts in
//! rows, and a row read on its own (`| Acme Bank | 4 | 9 |`) says nothing without its column
//! names. So each body row becomes one passage whose text pairs every cell with its header,
//! `Account: Acme Bank · Now (PB): 4 · Notes: competitor bidding on price`, on the row's own
//! line. The header row itself is not a passage; empty cells are left out.
//!
//! [`super::markdown`] feeds pulldown-cmark's table events to a [`Table`] and turns its
//! [`Table::rows`] into passages under the table's heading path.

use super::markdown::clean;

/// Separator between the `Header: cell` pairs of a row's text.
pub const CELL_SEPARATOR: &str = " · ";

/// One table being read.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>, String)>,
    in_head: bool,
    cell: Option<String>,
}

impl Table {
    /// The header row starts.
    pub fn start_head(&mut self) {
        self.in_head = true;
    }

    /// The header row ended.
    pub fn end_head(&mut self) {
        self.in_head = false;
    }

    /// A body row starts at body offset `start`.
    pub fn start_row(&mut self, start: usize) {
        self.rows.push((start, Vec::new(), String::new()));
    }

    /// A cell starts.
    pub fn start_cell(&mut self) {
        self.cell = Some(String::new());
    }

    /// Text (or inline code) inside the current cell.
    pub fn text(&mut self, t: &str) {
        if let Some(cell) = self.cell.as_mut() {
            cell.push_str(t);
        }
    }

    /// The current cell ended.
    pub fn end_cell(&mut self) {
        let Some(raw) = self.cell.take() else {
            return;
        };
        let text = clean(&raw, &mut Vec::new());
        if self.in_head {
            self.header.push(text);
        } else if let Some((_, cells, raw_row)) = self.rows.last_mut() {
            cells.push(text);
            raw_row.push_str(&raw);
            raw_row.push(' ');
        }
    }

    /// Each body row's start offset, passage text and raw cell text (for its wiki links);
    /// rows with no non-empty cell are left out.
    pub fn rows(self) -> Vec<(usize, String, String)> {
        let header = self.header;
        self.rows
            .into_iter()
            .filter_map(|(start, cells, raw)| {
                let pairs: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_empty())
                    .map(|(i, cell)| match header.get(i).filter(|h| !h.is_empty()) {
                        Some(h) => format!("{h}: {cell}"),
                        None => cell.clone(),
                    })
                    .collect();
                (!pairs.is_empty()).then(|| (start, pairs.join(CELL_SEPARATOR), raw))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_pair_with_their_headers() {
        let mut t = Table::default();
        t.start_head();
        for h in ["Account", "Now (PB)", "", "Notes"] {
            t.start_cell();
            t.text(h);
            t.end_cell();
        }
        t.end_head();
        for (start, cells) in [
            (40, vec!["[[Acme Bank]]", "4", "x", "competitor  bidding"]),
            (60, vec!["", "", "", ""]),
            (80, vec!["Globex", "", "", "", "extra"]),
        ] {
            t.start_row(start);
            for c in cells {
                t.start_cell();
                t.text(c);
                t.end_cell();
            }
        }
        let rows: Vec<(usize, String)> = t.rows().into_iter().map(|(s, t, _)| (s, t)).collect();
        assert_eq!(
            rows,
            vec![
                (
                    40,
                    "Account: Acme Bank · Now (PB): 4 · x · Notes: competitor bidding".to_string()
                ),
                (80, "Account: Globex · extra".to_string()),
            ]
        );
    }
}
