//! The vocabulary of the quantity grammar ([`super::quantity`]), as data: units with their
//! dimension and factor to the dimension's base unit, count nouns, scale words, currencies,
//! approximation words, and the cue words that tell a latency from a duration, a discount
//! from another percentage, and an earlier value from the one claimed now.
//!
//! Kept small and reviewable on purpose: a unit is one line here, and the grammar never names
//! a unit itself. Dimension names follow a units library's (`uom`'s *information rate*,
//! *information*, *power*, *time*), shortened to what our notes say. Base units are the ones
//! people quote in storage and AI-infrastructure deals: GB/s, TB, MW, USD, ms for latency and
//! seconds for durations.

use super::quantity::{Dimension, Qualifier};

/// How a unit's spelling is compared with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Exactly as written (`Gb/s` is gigabits, `GB/s` gigabytes).
    Exact,
    /// ASCII case-insensitively (`gb/s`, `TBps`).
    Fold,
}

/// One spelling of a unit.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    /// The spelling, tokenised like the text (`GB/s` is `GB`, `/`, `s`).
    pub pattern: &'static str,
    /// How it is compared.
    pub case: Case,
    /// Only when written right after the number, with no space (`2.4x`, `10us`).
    pub glued: bool,
    /// What it measures.
    pub dimension: Dimension,
    /// Multiply by this to get the base unit.
    pub factor: f64,
    /// The base unit of the dimension (as printed in JSON).
    pub base: &'static str,
}

const fn u(
    pattern: &'static str,
    case: Case,
    dimension: Dimension,
    factor: f64,
    base: &'static str,
) -> Unit {
    Unit {
        pattern,
        case,
        glued: false,
        dimension,
        factor,
        base,
    }
}

const fn glued(
    pattern: &'static str,
    dimension: Dimension,
    factor: f64,
    base: &'static str,
) -> Unit {
    Unit {
        pattern,
        case: Case::Exact,
        glued: true,
        dimension,
        factor,
        base,
    }
}

use Case::{Exact, Fold};
use Dimension::{Capacity, Duration, Iops, Latency, Percent, Power, Ratio, Throughput};

/// Every unit but counts and currencies. Longer spellings win over shorter ones that
/// start the same way, and `Exact` spellings over `Fold` ones of the same length.
pub const UNITS: &[Unit] = &[
    // Throughput, base GB/s. Bits per second are an eighth of bytes; `gbps` in lowercase is
    // almost always a network speed, so it is bits too.
    u("PB/s", Fold, Throughput, 1e6, "GB/s"),
    u("TB/s", Fold, Throughput, 1e3, "GB/s"),
    u("TBps", Fold, Throughput, 1e3, "GB/s"),
    u("TB/sec", Fold, Throughput, 1e3, "GB/s"),
    u("TB per second", Fold, Throughput, 1e3, "GB/s"),
    u("terabytes per second", Fold, Throughput, 1e3, "GB/s"),
    u("terabytes/s", Fold, Throughput, 1e3, "GB/s"),
    u("TiB/s", Fold, Throughput, 1099.511627776, "GB/s"),
    u("GB/s", Fold, Throughput, 1.0, "GB/s"),
    u("GBps", Fold, Throughput, 1.0, "GB/s"),
    u("GB/sec", Fold, Throughput, 1.0, "GB/s"),
    u("GB per second", Fold, Throughput, 1.0, "GB/s"),
    u("gigabytes per second", Fold, Throughput, 1.0, "GB/s"),
    u("gigabytes/s", Fold, Throughput, 1.0, "GB/s"),
    u("GiB/s", Fold, Throughput, 1.073741824, "GB/s"),
    u("MB/s", Fold, Throughput, 1e-3, "GB/s"),
    u("MBps", Fold, Throughput, 1e-3, "GB/s"),
    u("megabytes per second", Fold, Throughput, 1e-3, "GB/s"),
    u("MiB/s", Fold, Throughput, 0.001048576, "GB/s"),
    u("Tb/s", Exact, Throughput, 125.0, "GB/s"),
    u("Tbps", Exact, Throughput, 125.0, "GB/s"),
    u("tbps", Exact, Throughput, 125.0, "GB/s"),
    u("Tbit/s", Exact, Throughput, 125.0, "GB/s"),
    u("Gb/s", Exact, Throughput, 0.125, "GB/s"),
    u("Gbps", Exact, Throughput, 0.125, "GB/s"),
    u("gbps", Exact, Throughput, 0.125, "GB/s"),
    u("Gbit/s", Exact, Throughput, 0.125, "GB/s"),
    u("Mb/s", Exact, Throughput, 0.000125, "GB/s"),
    u("Mbps", Exact, Throughput, 0.000125, "GB/s"),
    u("mbps", Exact, Throughput, 0.000125, "GB/s"),
    // Operations per second.
    u("IOPS", Fold, Iops, 1.0, "IOPS"),
    u("IOPs", Fold, Iops, 1.0, "IOPS"),
    u("ops/s", Fold, Iops, 1.0, "IOPS"),
    // Capacity, base TB (decimal; binary prefixes converted).
    u("EB", Fold, Capacity, 1e6, "TB"),
    u("PB", Fold, Capacity, 1e3, "TB"),
    u("TB", Fold, Capacity, 1.0, "TB"),
    u("GB", Fold, Capacity, 1e-3, "TB"),
    u("MB", Fold, Capacity, 1e-6, "TB"),
    u("EiB", Fold, Capacity, 1_152_921.504606847, "TB"),
    u("PiB", Fold, Capacity, 1125.899906842624, "TB"),
    u("TiB", Fold, Capacity, 1.099511627776, "TB"),
    u("GiB", Fold, Capacity, 0.001073741824, "TB"),
    u("exabytes", Fold, Capacity, 1e6, "TB"),
    u("exabyte", Fold, Capacity, 1e6, "TB"),
    u("petabytes", Fold, Capacity, 1e3, "TB"),
    u("petabyte", Fold, Capacity, 1e3, "TB"),
    u("terabytes", Fold, Capacity, 1.0, "TB"),
    u("terabyte", Fold, Capacity, 1.0, "TB"),
    u("gigabytes", Fold, Capacity, 1e-3, "TB"),
    u("gigabyte", Fold, Capacity, 1e-3, "TB"),
    // Power, base MW. `MWh` is energy: the boundary check after a unit keeps it out.
    u("GW", Fold, Power, 1e3, "MW"),
    u("MW", Fold, Power, 1.0, "MW"),
    u("kW", Fold, Power, 1e-3, "MW"),
    u("W", Exact, Power, 1e-6, "MW"),
    u("gigawatts", Fold, Power, 1e3, "MW"),
    u("gigawatt", Fold, Power, 1e3, "MW"),
    u("megawatts", Fold, Power, 1.0, "MW"),
    u("megawatt", Fold, Power, 1.0, "MW"),
    u("kilowatts", Fold, Power, 1e-3, "MW"),
    u("kilowatt", Fold, Power, 1e-3, "MW"),
    u("watts", Fold, Power, 1e-6, "MW"),
    // Percentages.
    u("%", Exact, Percent, 1.0, "%"),
    u("percent", Fold, Percent, 1.0, "%"),
    u("per cent", Fold, Percent, 1.0, "%"),
    u("pct", Fold, Percent, 1.0, "%"),
    u("percentage points", Fold, Percent, 1.0, "pp"),
    u("pp", Exact, Percent, 1.0, "pp"),
    // Latency, base ms: sub-second units always; seconds and up only with a latency cue
    // (see LATENCY_CUES), else they are durations.
    u("ns", Fold, Latency, 1e-6, "ms"),
    u("µs", Fold, Latency, 1e-3, "ms"),
    u("μs", Fold, Latency, 1e-3, "ms"),
    glued("us", Latency, 1e-3, "ms"),
    u("ms", Fold, Latency, 1.0, "ms"),
    u("msec", Fold, Latency, 1.0, "ms"),
    u("milliseconds", Fold, Latency, 1.0, "ms"),
    u("millisecond", Fold, Latency, 1.0, "ms"),
    u("microseconds", Fold, Latency, 1e-3, "ms"),
    u("nanoseconds", Fold, Latency, 1e-6, "ms"),
    // Durations, base s.
    u("s", Exact, Duration, 1.0, "s"),
    u("sec", Fold, Duration, 1.0, "s"),
    u("secs", Fold, Duration, 1.0, "s"),
    u("seconds", Fold, Duration, 1.0, "s"),
    u("second", Fold, Duration, 1.0, "s"),
    u("min", Fold, Duration, 60.0, "s"),
    u("mins", Fold, Duration, 60.0, "s"),
    u("minutes", Fold, Duration, 60.0, "s"),
    u("minute", Fold, Duration, 60.0, "s"),
    u("h", Exact, Duration, 3600.0, "s"),
    u("hr", Fold, Duration, 3600.0, "s"),
    u("hrs", Fold, Duration, 3600.0, "s"),
    u("hours", Fold, Duration, 3600.0, "s"),
    u("hour", Fold, Duration, 3600.0, "s"),
    u("days", Fold, Duration, 86_400.0, "s"),
    u("day", Fold, Duration, 86_400.0, "s"),
    u("weeks", Fold, Duration, 604_800.0, "s"),
    u("week", Fold, Duration, 604_800.0, "s"),
    u("months", Fold, Duration, 2_629_800.0, "s"),
    u("month", Fold, Duration, 2_629_800.0, "s"),
    u("years", Fold, Duration, 31_557_600.0, "s"),
    u("year", Fold, Duration, 31_557_600.0, "s"),
    u("yrs", Fold, Duration, 31_557_600.0, "s"),
    // Ratios: `2.4x` (glued only: `4 x 8` is arithmetic), `3×`, `10-fold`, `3 times`.
    glued("x", Ratio, 1.0, "x"),
    glued("X", Ratio, 1.0, "x"),
    u("×", Exact, Ratio, 1.0, "x"),
    u("fold", Fold, Ratio, 1.0, "x"),
    u("times", Fold, Ratio, 1.0, "x"),
];

/// Things counted, singular and plural spellings with the name printed as the unit.
/// A model name in the plural right after a number (`1,024 H100s`) counts too; see
/// [`super::quantity`].
pub const COUNT_NOUNS: &[(&[&str], &str)] = &[
    (&["GPU", "GPUs"], "GPU"),
    (&["CPU", "CPUs"], "CPU"),
    (&["node", "nodes"], "node"),
    (&["server", "servers"], "server"),
    (&["rack", "racks"], "rack"),
    (&["drive", "drives"], "drive"),
    (&["SSD", "SSDs"], "SSD"),
    (&["HDD", "HDDs"], "HDD"),
    (&["disk", "disks"], "disk"),
    (&["client", "clients"], "client"),
    (&["customer", "customers"], "customer"),
    (&["user", "users"], "user"),
    (&["seat", "seats"], "seat"),
    (&["cluster", "clusters"], "cluster"),
    (&["site", "sites"], "site"),
    (&["region", "regions"], "region"),
    (
        &["data center", "data centers", "datacenter", "datacenters"],
        "data center",
    ),
    (&["core", "cores"], "core"),
    (&["instance", "instances"], "instance"),
    (&["VM", "VMs"], "VM"),
    (&["engineer", "engineers"], "engineer"),
    (&["tenant", "tenants"], "tenant"),
    (&["appliance", "appliances"], "appliance"),
    (&["box", "boxes"], "box"),
    (&["enclosure", "enclosures"], "enclosure"),
    (&["shelf", "shelves"], "shelf"),
    (&["controller", "controllers"], "controller"),
    (&["accelerator", "accelerators"], "accelerator"),
    (&["chip", "chips"], "chip"),
    (&["parameter", "parameters", "params"], "parameter"),
    (&["token", "tokens"], "token"),
];

/// Currency signs written before the amount, and the unit they give.
pub const CURRENCY_SIGNS: &[(char, &str)] = &[('$', "USD"), ('€', "EUR"), ('£', "GBP")];

/// Currency words before (`USD 3M`) or after (`250 million dollars`) the amount.
pub const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("USD", "USD"),
    ("dollars", "USD"),
    ("EUR", "EUR"),
    ("euros", "EUR"),
    ("GBP", "GBP"),
];

/// Scale words after a number. Letters (`K`, `M`, `B`, `bn`) must be glued to the number and
/// need a currency or a counted noun (`$250B`, `10K GPUs`, `2M IOPS`), so `4K video` and a
/// `70B` model name stay out; spelled-out words (`million`) may stand apart.
pub const SCALES: &[(&str, f64, bool)] = &[
    // (spelling, factor, is a letter abbreviation)
    ("K", 1e3, true),
    ("k", 1e3, true),
    ("M", 1e6, true),
    ("MM", 1e6, true),
    ("m", 1e6, true),
    ("mn", 1e6, true),
    ("B", 1e9, true),
    ("b", 1e9, true),
    ("bn", 1e9, true),
    ("T", 1e12, true),
    ("tn", 1e12, true),
    ("thousand", 1e3, false),
    ("million", 1e6, false),
    ("billion", 1e9, false),
    ("trillion", 1e12, false),
];

/// Approximation words before a number, lowercase, tokenised like the text.
pub const QUALIFIERS: &[(&str, Qualifier)] = &[
    ("about", Qualifier::About),
    ("around", Qualifier::About),
    ("roughly", Qualifier::About),
    ("approximately", Qualifier::About),
    ("approx", Qualifier::About),
    ("circa", Qualifier::About),
    ("nearly", Qualifier::About),
    ("almost", Qualifier::About),
    ("close to", Qualifier::About),
    ("some", Qualifier::About),
    ("~", Qualifier::About),
    ("≈", Qualifier::About),
    ("over", Qualifier::Over),
    ("more than", Qualifier::Over),
    ("above", Qualifier::Over),
    ("north of", Qualifier::Over),
    ("at least", Qualifier::Over),
    ("upwards of", Qualifier::Over),
    ("in excess of", Qualifier::Over),
    ("well over", Qualifier::Over),
    ("just over", Qualifier::Over),
    (">", Qualifier::Over),
    ("≥", Qualifier::Over),
    ("up to", Qualifier::UpTo),
    ("as much as", Qualifier::UpTo),
    ("as many as", Qualifier::UpTo),
    ("at most", Qualifier::UpTo),
    ("under", Qualifier::Under),
    ("below", Qualifier::Under),
    ("less than", Qualifier::Under),
    ("fewer than", Qualifier::Under),
    ("just under", Qualifier::Under),
    ("south of", Qualifier::Under),
    ("<", Qualifier::Under),
    ("≤", Qualifier::Under),
];

/// Vague amounts that stand where a number would (`several hundred PB`): the words,
/// lowercase, and the range they are read as. "Several" is read as 3 to 9, "a few" as 2 to 5.
pub const VAGUE_AMOUNTS: &[(&str, f64, f64)] = &[
    ("tens of thousands of", 20_000.0, 90_000.0),
    ("several hundred", 300.0, 900.0),
    ("a few hundred", 200.0, 500.0),
    ("few hundred", 200.0, 500.0),
    ("hundreds of", 200.0, 900.0),
    ("several thousand", 3000.0, 9000.0),
    ("a few thousand", 2000.0, 5000.0),
    ("thousands of", 2000.0, 9000.0),
    ("several dozen", 36.0, 108.0),
    ("dozens of", 24.0, 96.0),
    ("tens of", 20.0, 90.0),
];

/// Words that make a time in seconds or more a latency (`TTFT of 0.7 s`).
pub const LATENCY_CUES: &[&str] = &[
    "latency",
    "latencies",
    "ttft",
    "p50",
    "p90",
    "p95",
    "p99",
    "p999",
    "rtt",
    "response",
    "round-trip",
    "roundtrip",
];

/// Words that make a percentage a discount or price cut (for `--about pricing`).
pub const DISCOUNT_CUES: &[&str] = &[
    "discount",
    "discounts",
    "discounted",
    "discounting",
    "off",
    "undercut",
    "undercuts",
    "undercutting",
    "cheaper",
    "cut",
    "cuts",
    "rebate",
    "markdown",
];

/// `under`/`below`/`less` make a percentage a discount only beside one of these
/// (`30% under our list price`, but not `30% under load`).
pub const PRICE_WORDS: &[&str] = &[
    "list", "price", "prices", "pricing", "quote", "quoted", "bid",
];

/// Words right before a quantity that mark it as an earlier value the passage cites
/// (`down from 1.2 TB/s`, `was 40%`): it is not what the passage claims now.
pub const PRIOR_CUES: &[&str] = &[
    "from",
    "was",
    "were",
    "previously",
    "originally",
    "formerly",
    "earlier",
];

/// Words that end a clause: a quantity's qualifiers (`sustained`, `read`) are looked for in
/// its own clause first.
pub const CLAUSE_WORDS: &[&str] = &[
    "but", "while", "whereas", "versus", "vs", "and", "though", "although", "however",
];

/// Words that name which measure of a dimension a claim is about: peak or sustained, read
/// or write, raw or usable. Claims that name different ones are different threads.
pub const ASPECTS: &[(&str, Axis, &str)] = &[
    ("peak", Axis::Mode, "peak"),
    ("maximum", Axis::Mode, "peak"),
    ("burst", Axis::Mode, "peak"),
    ("sustained", Axis::Mode, "sustained"),
    ("steady", Axis::Mode, "sustained"),
    ("continuous", Axis::Mode, "sustained"),
    ("average", Axis::Mode, "average"),
    ("avg", Axis::Mode, "average"),
    ("read", Axis::Op, "read"),
    ("reads", Axis::Op, "read"),
    ("write", Axis::Op, "write"),
    ("writes", Axis::Op, "write"),
    ("raw", Axis::Basis, "raw"),
    ("usable", Axis::Basis, "usable"),
    ("effective", Axis::Basis, "effective"),
    ("list", Axis::Basis, "list"),
];

/// Words that, with the word or number after them, name the subject of a claim (`phase 2`,
/// `Tier 0`): a claim about phase 1 and one about phase 2 are different threads.
pub const SUBJECT_WORDS: &[&str] = &[
    "phase",
    "tier",
    "stage",
    "gen",
    "generation",
    "pod",
    "building",
];

use super::quantity::Axis;
