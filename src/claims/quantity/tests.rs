//! The quantity grammar's table of real phrasings, aspects, and its never-panic property.

use super::*;
use proptest::prelude::*;
use rstest::rstest;

/// A number the way the table writes it: integers plain, others to nine significant
/// digits (so `45 / 1000` prints `0.045`).
fn n(v: f64) -> String {
    let r: f64 = format!("{v:.8e}").parse().unwrap();
    format!("{r}")
}

/// `text => value[..high] unit dimension [qualifier]`.
fn show(q: &Quantity) -> String {
    let mut s = format!("{} => {}", q.text, n(q.value));
    if let Some(h) = q.high {
        s.push_str(&format!("..{}", n(h)));
    }
    s.push_str(&format!(" {} {}", q.unit, q.dimension.as_str()));
    if let Some(x) = q.qualifier {
        s.push_str(&format!(" {}", x.as_str()));
    }
    s
}

/// Real phrasings from competitive notes, and what must be read from them.
#[rstest]
#[case("DDN claimed 1.1 TB/s peak read throughput on the EXAScaler cluster at CoreWeave.", &["1.1 TB/s => 1100 GB/s throughput"])]
#[case("DDN now says 950 GB/s sustained read throughput, down from the earlier peak figure.", &["950 GB/s => 950 GB/s throughput"])]
#[case("Booth slide claimed over 2 TB/s for a 20-node cluster.", &["over 2 TB/s => 2000 GB/s throughput over", "20-node => 20 node count"])]
#[case("2024-11 (trade show): Acme showed 80 GB/s per node in a 2U box.", &["80 GB/s per node => 80 GB/s/node throughput"])]
#[case("Their archive tier holds 650 PB across three regions.", &["650 PB => 650000 TB capacity"])]
#[case("The Abilene campus is planned at 1.6 GW.", &["1.6 GW => 1600 MW power"])]
#[case("Each GB200 rack draws 25 kW today, 120 kW next year.", &["25 kW => 0.025 MW power", "120 kW => 0.12 MW power"])]
#[case("Acme quoted $0.017 per GB-month for the cold tier.", &["$0.017 per GB-month => 0.017 USD/GB-month unit_price"])]
#[case("Hyperscaler capex plans add up to $250B this year.", &["up to $250B => 250000000000 USD money up to"])]
#[case("GPU utilisation sits at 22% on the old cluster.", &["22% => 22 % percent"])]
#[case("Restoring the 4 TB checkpoint took 11 minutes.", &["4 TB => 4 TB capacity", "11 minutes => 660 s duration"])]
#[case("TTFT of 0.7 s on the long-context model.", &["0.7 s => 700 ms latency"])]
#[case("They claim 2.4x faster metadata operations.", &["2.4x => 2.4 x ratio"])]
#[case("The training cluster has 512 GPUs.", &["512 GPUs => 512 GPU count"])]
#[case("Acme offered a 35-40% discount off list.", &["35-40% => 35..40 % percent"])]
#[case("WEKA undercut our quote by about 40% on the expansion.", &["about 40% => 40 % percent about"])]
#[case("DDN quoted $0.21 per GB per month, roughly 30% under our list price.", &["$0.21 per GB per month => 0.21 USD/GB-month unit_price", "roughly 30% => 30 % percent about"])]
#[case("Marketing says up to 1.2 TB/s per cluster.", &["up to 1.2 TB/s per cluster => 1200 GB/s/cluster throughput up to"])]
#[case("Under 1 ms p99 latency on small reads.", &["Under 1 ms => 1 ms latency under"])]
#[case("They manage several hundred PB for the labs.", &["several hundred PB => 300000..900000 TB capacity several"])]
#[case("Q3 deliveries of H100 nodes slipped again.", &[])]
#[case("The AI400X3 appliances ship in 2025.", &[])]
#[case("Meeting on 2025-03-21 about the 2024-11 numbers.", &[])]
#[case("Version 1.2.3 ships in Q3.", &[])]
#[case("A 2U chassis with 24 NVMe drives.", &["24 NVMe drives => 24 drive count"])]
#[case("400GbE links to each node.", &[])]
#[case("1,024 H100s in phase 1.", &["1,024 H100s => 1024 H100 count"])]
#[case("Each box is 8x H100 per node.", &["8x H100 per node => 8 H100/node count"])]
#[case("Hammerspace quoted $45 per TB per month for Tier 0 licensing.", &["$45 per TB per month => 0.045 USD/GB-month unit_price"])]
#[case("CoreWeave lists $2.10/GPU-hr for H100.", &["$2.10/GPU-hr => 2.1 USD/GPU-hour unit_price"])]
#[case("The deal is worth USD 3M over two years.", &["USD 3M => 3000000 USD money"])]
#[case("A €2m contract with the Paris lab.", &["€2m => 2000000 EUR money"])]
#[case("They spent 250 million dollars on storage.", &["250 million dollars => 250000000 USD money"])]
#[case("Acme is at $1.2M ARR.", &["$1.2M => 1200000 USD money"])]
#[case("Budget is $1-2M for phase 2.", &["$1-2M => 1000000..2000000 USD money"])]
#[case("They demo 2M IOPS from one box.", &["2M IOPS => 2000000 IOPS iops"])]
#[case("Claimed 1.5 million IOPS on 4K random reads.", &["1.5 million IOPS => 1500000 IOPS iops"])]
#[case("Each client gets 400 Gb/s.", &["400 Gb/s => 50 GB/s throughput"])]
#[case("200Gbps per port.", &["200Gbps => 25 GB/s throughput"])]
#[case("Reads at 12.5 GiB/s per client.", &["12.5 GiB/s per client => 13.4217728 GB/s/client throughput"])]
#[case("Built from 7.68TB drives.", &["7.68TB => 7.68 TB capacity"])]
#[case("Mostly A100 80GB and H100 80 GB parts.", &[])]
#[case("40 MW for phase 2.", &["40 MW => 40 MW power"])]
#[case("~500 GB/s aggregate.", &["~500 GB/s => 500 GB/s throughput about"])]
#[case("≈3x the density.", &["≈3x => 3 x ratio about"])]
#[case("More than 10,000 GPUs by Q4.", &["More than 10,000 GPUs => 10000 GPU count over"])]
#[case("As much as 5 PB of scratch.", &["As much as 5 PB => 5000 TB capacity up to"])]
#[case("Less than 200 ms to first byte.", &["Less than 200 ms => 200 ms latency under"])]
#[case("Sustains 2 TB/s+ with 64 clients.", &["2 TB/s+ => 2000 GB/s throughput over", "64 clients => 64 client count"])]
#[case("500+ GPUs in the first pod.", &["500+ GPUs => 500 GPU count over"])]
#[case("Plans 10K GPUs in Texas.", &["10K GPUs => 10000 GPU count"])]
#[case("4K video ingest.", &[])]
#[case("Hundreds of GPUs sit idle.", &["Hundreds of GPUs => 200..900 GPU count several"])]
#[case("Discount went from 35% to 40%.", &["35% => 35 % percent", "40% => 40 % percent"])]
#[case("A discount between 35 and 40% at renewal.", &["35 and 40% => 35..40 % percent"])]
#[case("Revised from 1.2 TB/s to 900 GB/s.", &["1.2 TB/s => 1200 GB/s throughput", "900 GB/s => 900 GB/s throughput"])]
#[case("Retest ran 3 months later.", &["3 months => 7889400 s duration"])]
#[case("p99 latency of 2 ms under load.", &["2 ms => 2 ms latency"])]
#[case("In 2025 customers moved to flash.", &[])]
#[case("Tier 0 NVMe pool for phase 1.", &[])]
#[case("Their footprint grows 2 PB per month.", &["2 PB per month => 2000 TB/month capacity"])]
#[case("A 10-fold reduction in rebuild time.", &["10-fold => 10 x ratio"])]
#[case("3× denser than last year.", &["3× => 3 x ratio"])]
#[case("Inference is $2 per million tokens.", &["$2 per million tokens => 0.000002 USD/token unit_price"])]
#[case("Support costs $2,000 a month.", &["$2,000 a month => 2000 USD/month unit_price"])]
#[case("A 20 percent price cut for the renewal.", &["20 percent => 20 % percent"])]
#[case("Gen5 x16 slots only.", &[])]
#[case("Q3 2025 roadmap review.", &[])]
#[case("Racks at 75 kW/rack.", &["75 kW/rack => 0.075 MW/rack power"])]
#[case("Share fell 15 percentage points.", &["15 percentage points => 15 pp percent"])]
#[case("DBox ships with 1.1 PB usable.", &["1.1 PB => 1100 TB capacity"])]
#[case("Reads at 350 MB/s per drive.", &["350 MB/s per drive => 0.35 GB/s/drive throughput"])]
#[case("Latency under 500us at QD1.", &["under 500us => 0.5 ms latency under"])]
#[case("Interconnect runs 3.2 Tbps per node.", &["3.2 Tbps per node => 400 GB/s/node throughput"])]
#[case("Their 3.1 release adds S3 in Q3.", &[])]
#[case("Call at 10:30 with Marcus.", &[])]
#[case("$45K for the pilot.", &["$45K => 45000 USD money"])]
fn reads_quantities(#[case] text: &str, #[case] want: &[&str]) {
    let got: Vec<String> = parse(text).iter().map(show).collect();
    assert_eq!(got, want, "{text}");
}

#[rstest]
#[case("DDN claimed 1.1 TB/s peak read throughput.", "peak read")]
#[case(
    "DDN now says 950 GB/s sustained read throughput, down from the earlier peak figure.",
    "sustained read"
)]
#[case("1.2 TB/s peak and 900 GB/s sustained.", "peak")]
#[case(
    "Hammerspace claimed 400 GB/s aggregate read throughput across the Tier 0 NVMe pool.",
    "read tier 0"
)]
#[case("For phase 2, Acme quoted 40 MW.", "phase 2")]
#[case("Raw 2 PB, usable 1.4 PB.", "raw")]
#[case(
    "DDN quoted $0.21 per GB per month, roughly 30% under our list price.",
    ""
)]
#[case("List price is $0.02 per GB-month.", "list")]
#[case("Roughly 30% under our list price.", "discount")]
#[case("30% under load.", "")]
#[case("Writes at 200 GB/s, reads at 400 GB/s.", "write")]
fn reads_aspects_from_the_clause(#[case] text: &str, #[case] want: &str) {
    let q = &parse(text)[0];
    let got: Vec<&str> = q.aspects.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(got.join(" "), want, "{text}: {q:?}");
}

#[test]
fn marks_earlier_values_and_keeps_spans() {
    let text = "Acme revised its claim down from 1.2 TB/s to 900 GB/s sustained.";
    let qs = parse(text);
    assert_eq!(qs.len(), 2);
    assert!(qs[0].prior && !qs[1].prior);
    for q in &qs {
        assert_eq!(&text[q.span.clone()], q.text);
    }
    assert!(parse("It was 40% last year")[0].prior);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// Parsing never panics, and every quantity's span is its text.
    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        for q in parse(&text) {
            prop_assert_eq!(&text[q.span.clone()], q.text.as_str());
        }
    }

    /// The same over text made of the grammar's own pieces, where the parser works hardest.
    #[test]
    fn never_panics_on_quantity_like_text(
        parts in proptest::collection::vec(prop_oneof![
            "[0-9]{1,5}", "[0-9]{1,3}(,[0-9]{3}){0,2}(\\.[0-9]{1,3})?",
            Just(" ".to_string()), Just("-".to_string()), Just("$".to_string()),
            Just("%".to_string()), Just("/".to_string()), Just("+".to_string()),
            Just("x".to_string()), Just("×".to_string()), Just("µs".to_string()),
            Just("GB".to_string()), Just("TB/s".to_string()), Just("per".to_string()),
            Just("month".to_string()), Just("GPUs".to_string()), Just("M".to_string()),
            Just("several hundred".to_string()), Just("between".to_string()),
            Just("and".to_string()), Just("to".to_string()), Just("H100s".to_string()),
            Just("up to".to_string()), Just("2025-03-21".to_string()), Just("é".to_string()),
            Just(".".to_string()), Just(",".to_string()), Just("Tier".to_string()),
        ], 0..24)
    ) {
        let text: String = parts.concat();
        for q in parse(&text) {
            prop_assert_eq!(&text[q.span.clone()], q.text.as_str());
            prop_assert!(q.value.is_finite());
            prop_assert!(q.high.is_none_or(|h| h.is_finite() && h > q.value));
        }
    }
}
