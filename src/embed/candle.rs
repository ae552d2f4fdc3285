//! all-MiniLM-L6-v2 on the CPU: the `tokenizers` crate, then one of two encoders over the
//! same memory-mapped safetensors weights.
//!
//! * [`Backend::Packed`] (the default): [`quarry_bert::PackedBert`], our own forward pass
//!   with candle's matmul engine (`gemm`), no padding and vectorised GELU and softmax;
//!   about twice as fast as the other.
//! * `Backend::CandleBert` (only with the `reference-bert` feature, which tests, benches and
//!   examples turn on and the shipped binary does not): candle-transformers' `BertModel`,
//!   kept as the check on the packed encoder (the tests compare them) and for
//!   `benches/embed.rs`.
//!
//! What it takes to match sentence-transformers (verified against
//! `tests/fixtures/embeddings/reference.json`): token type ids all zero, attention only
//! over real tokens, exact (erf) GELU as `config.json` says, mean pooling over real tokens,
//! L2 normalisation.
//!
//! The shipped `tokenizer.json` truncates at 128 and pads *every* input to 128 word pieces.
//! We override both: truncate at [`MAX_TOKENS`] (256, sentence-transformers'
//! `max_seq_length`) and never pad (the packed encoder needs no padding; the `BertModel`
//! path pads each batch to its longest text), so a 6-word query costs 8 positions, not 128,
//! and passages between 128 and 256 word pieces are not cut.

use super::files::{verify_files_and_config, weights_hash, WEIGHTS};
use super::{Embedder, ModelInfo, DIMS, MAX_TOKENS, MODEL_NAME};
use crate::{Error, Result};
#[cfg(feature = "reference-bert")]
use candle_core::{DType, Device, Tensor};
#[cfg(feature = "reference-bert")]
use candle_transformers::models::bert::BertModel;
use quarry_bert::{PackedBert, Precision as Arithmetic};
use std::path::Path;
use tokenizers::{Encoding, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

/// Which encoder computes the vectors; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Our packed forward pass (the default).
    Packed,
    /// candle-transformers' `BertModel` (feature `reference-bert`).
    #[cfg(feature = "reference-bert")]
    CandleBert,
}

enum Encoder {
    Packed(PackedBert),
    #[cfg(feature = "reference-bert")]
    CandleBert {
        model: BertModel,
        pad_id: u32,
    },
}

/// The real embedding model, loaded from a model folder (see [`super::install`]).
pub struct MiniLm {
    encoder: Encoder,
    tokenizer: Tokenizer,
    info: ModelInfo,
}

fn model_err(dir: &Path, what: impl std::fmt::Display) -> Error {
    Error::Model(format!(
        "the model in {} is broken ({what}); run `quarry model install` to replace it",
        dir.display()
    ))
}

impl MiniLm {
    /// Loads the model from `dir` (which must hold `config.json`, `tokenizer.json` and
    /// `model.safetensors`). Every failure is an [`Error::Model`] naming the folder and
    /// saying to reinstall.
    pub fn load(dir: &Path) -> Result<MiniLm> {
        MiniLm::load_with(dir, Backend::Packed)
    }

    /// [`MiniLm::load`] with a chosen encoder.
    pub fn load_with(dir: &Path, backend: Backend) -> Result<MiniLm> {
        verify_files_and_config(dir).map_err(|e| model_err(dir, e))?;

        let mut tokenizer = super::tokenizer::load(dir).map_err(|e| model_err(dir, e))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: MAX_TOKENS,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| model_err(dir, format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(None);

        let weights_err =
            |e: &dyn std::fmt::Display| model_err(dir, format!("model.safetensors: {e}"));
        // SAFETY (both backends map the weights): the file is mapped read-only and quarry never writes an
        // installed model; `install` replaces a model by renaming a new folder into place,
        // which leaves an existing map of the old file valid.
        let encoder = match backend {
            Backend::Packed => Encoder::Packed(
                unsafe { PackedBert::load(&dir.join(WEIGHTS)) }.map_err(|e| weights_err(&e))?,
            ),
            #[cfg(feature = "reference-bert")]
            Backend::CandleBert => candle_bert(dir)?,
        };

        let info = ModelInfo {
            name: MODEL_NAME.to_string(),
            dims: DIMS,
            weights_hash: weights_hash(dir)?,
        };
        Ok(MiniLm {
            encoder,
            tokenizer,
            info,
        })
    }

    /// Sets the arithmetic of the packed encoder's linear layers in batches (fp32 after
    /// loading; see [`Arithmetic`]). An [`Error::Model`] when the CPU lacks the chosen
    /// kernels, or for `BertModel` anything but fp32.
    pub fn set_arithmetic(&mut self, arithmetic: Arithmetic) -> Result<()> {
        match &mut self.encoder {
            Encoder::Packed(bert) => bert.set_precision(arithmetic).map_err(Error::Model),
            #[cfg(feature = "reference-bert")]
            Encoder::CandleBert { .. } if arithmetic == Arithmetic::Fp32 => Ok(()),
            #[cfg(feature = "reference-bert")]
            Encoder::CandleBert { .. } => Err(Error::Model(
                "candle-transformers' BertModel computes in fp32 only".to_string(),
            )),
        }
    }

    /// The arithmetic of the linear layers in batches.
    pub fn arithmetic(&self) -> Arithmetic {
        match &self.encoder {
            Encoder::Packed(bert) => bert.precision(),
            #[cfg(feature = "reference-bert")]
            Encoder::CandleBert { .. } => Arithmetic::Fp32,
        }
    }

    /// Word pieces `text` becomes, `[CLS]` and `[SEP]` included, after truncation.
    pub fn token_count(&self, text: &str) -> Result<usize> {
        let enc = self
            .tokenizer
            .encode_fast(text, true)
            .map_err(|e| Error::Model(format!("could not tokenize text: {e}")))?;
        Ok(enc.get_ids().len())
    }

    fn forward(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let encodings = self
            .tokenizer
            .encode_batch_fast(texts.to_vec(), true)
            .map_err(|e| Error::Model(format!("embedding failed: could not tokenize text: {e}")))?;
        match &self.encoder {
            Encoder::Packed(bert) => {
                let ids: Vec<&[u32]> = encodings.iter().map(Encoding::get_ids).collect();
                Ok(bert.embed(&ids))
            }
            #[cfg(feature = "reference-bert")]
            Encoder::CandleBert { model, pad_id } => bert_model_forward(model, *pad_id, &encodings)
                .map_err(|e| Error::Model(format!("embedding failed: {e}"))),
        }
    }
}

/// candle-transformers' `BertModel` over the mapped weights in `dir`.
#[cfg(feature = "reference-bert")]
fn candle_bert(dir: &Path) -> Result<Encoder> {
    let config_path = dir.join("config.json");
    let config_text =
        std::fs::read_to_string(&config_path).map_err(|e| Error::io(&config_path, e))?;
    let config: candle_transformers::models::bert::Config = serde_json::from_str(&config_text)
        .map_err(|e| model_err(dir, format!("config.json: {e}")))?;
    let weights_err = |e: candle_core::Error| model_err(dir, format!("model.safetensors: {e}"));
    // SAFETY: as for the packed encoder in `MiniLm::load_with`.
    let vb = unsafe {
        candle_nn::VarBuilder::from_mmaped_safetensors(
            &[dir.join(WEIGHTS)],
            DType::F32,
            &Device::Cpu,
        )
    }
    .map_err(weights_err)?;
    let model = BertModel::load(vb, &config).map_err(weights_err)?;
    Ok(Encoder::CandleBert {
        model,
        pad_id: config.pad_token_id as u32,
    })
}

/// `BertModel` on a batch padded to its longest text, then mean pooling over the mask and
/// L2 normalisation, as sentence-transformers' `Pooling(mode="mean")` and `Normalize` do.
#[cfg(feature = "reference-bert")]
fn bert_model_forward(
    model: &BertModel,
    pad_id: u32,
    encodings: &[Encoding],
) -> candle_core::Result<Vec<Vec<f32>>> {
    let batch = encodings.len();
    let len = encodings.iter().map(Encoding::len).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(batch * len);
    let mut mask = Vec::with_capacity(batch * len);
    for e in encodings {
        ids.extend_from_slice(e.get_ids());
        ids.resize(ids.len() + len - e.len(), pad_id);
        mask.extend(std::iter::repeat_n(1u32, e.len()));
        mask.resize(mask.len() + len - e.len(), 0);
    }
    let device = &model.device;
    let ids = Tensor::from_vec(ids, (batch, len), device)?;
    let mask = Tensor::from_vec(mask, (batch, len), device)?;
    let type_ids = ids.zeros_like()?;
    let hidden = model.forward(&ids, &type_ids, Some(&mask))?; // (batch, len, 384)
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // (batch, len, 1)
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?; // (batch, 384)
    let counts = mask.sum(1)?; // (batch, 1)
    let mut rows = summed.broadcast_div(&counts)?.to_vec2::<f32>()?;
    for row in &mut rows {
        // torch.nn.functional.normalize clamps the norm at 1e-12 the same way.
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        row.iter_mut().for_each(|x| *x /= norm);
    }
    Ok(rows)
}

impl Embedder for MiniLm {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        self.forward(texts)
    }

    /// `fp32`, or `int8` and the kernels (`int8 Avx2`); a plan other than the default is
    /// spelled out.
    fn precision(&self) -> String {
        match self.arithmetic() {
            Arithmetic::Fp32 => "fp32".to_string(),
            Arithmetic::Int8(isa, plan) if plan == quarry_bert::Plan::DEFAULT => {
                format!("int8 {isa:?}")
            }
            Arithmetic::Int8(isa, plan) => format!("int8 {isa:?} {plan:?}"),
        }
    }

    /// Word pieces after truncation (bytes if the text cannot be tokenized).
    fn length_hint(&self, text: &str) -> usize {
        self.token_count(text).unwrap_or(text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::{cosine, embed_all, model_dir};
    use std::sync::OnceLock;

    /// The installed model. Fails (never skips) when it is missing: CI installs it first.
    fn model() -> &'static MiniLm {
        static MODEL: OnceLock<MiniLm> = OnceLock::new();
        MODEL.get_or_init(|| {
            let dir = model_dir();
            if !dir.join(WEIGHTS).exists() {
                panic!(
                    "the embedding model is not installed in {}: run `quarry model install` \
                     (or set QUARRY_MODEL_DIR) before `cargo test`",
                    dir.display()
                );
            }
            MiniLm::load(&dir).unwrap_or_else(|e| panic!("{e}"))
        })
    }

    #[derive(serde::Deserialize)]
    struct Reference {
        model: String,
        dims: usize,
        sentences: Vec<RefSentence>,
    }

    #[derive(serde::Deserialize)]
    struct RefSentence {
        name: String,
        text: String,
        word_pieces: usize,
        embedding: Vec<f32>,
    }

    fn reference() -> Reference {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/embeddings/reference.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn matches_sentence_transformers_reference_vectors() {
        let reference = reference();
        let model = model();
        assert_eq!(reference.model, model.info().name);
        assert_eq!(reference.dims, model.info().dims);
        assert_eq!(reference.sentences.len(), 4);
        for s in &reference.sentences {
            let got = &model.embed_batch(&[s.text.as_str()]).unwrap()[0];
            assert_eq!(got.len(), DIMS);
            let norm: f32 = got.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "{}: norm {norm}", s.name);
            // Untruncated length as sentence-transformers counted it, capped like ours.
            assert_eq!(
                model.token_count(&s.text).unwrap(),
                s.word_pieces.min(MAX_TOKENS),
                "{}",
                s.name
            );
            let cos = cosine(got, &s.embedding);
            assert!(
                cos >= 0.999,
                "{}: cosine {cos} with the sentence-transformers vector",
                s.name
            );
        }
    }

    /// The packed encoder computes what candle-transformers' `BertModel` computes, on one
    /// batch of texts from 2 to 256 word pieces (which `BertModel` pads to the longest) and
    /// on a query alone.
    #[cfg(feature = "reference-bert")]
    #[test]
    fn packed_encoder_equals_candle_bert_model() {
        let mut texts: Vec<String> = reference().sentences.into_iter().map(|s| s.text).collect();
        let bench = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/embeddings/bench_passages.json"
        );
        let bench: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(bench).unwrap()).unwrap();
        for set in ["short", "long"] {
            for p in bench[set].as_array().unwrap().iter().take(5) {
                texts.push(p.as_str().unwrap().to_string());
            }
        }
        texts.push(String::new());
        texts.push("GPU".to_string());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut packed = model().embed_batch(&refs).unwrap();
        let bert_model = MiniLm::load_with(&model_dir(), Backend::CandleBert).unwrap();
        let mut candle = bert_model.embed_batch(&refs).unwrap();
        // A query alone: few enough rows for the packed encoder's dot-product path.
        let query = ["who is short on GPU capacity"];
        packed.extend(model().embed_batch(&query).unwrap());
        candle.extend(bert_model.embed_batch(&query).unwrap());
        for (i, (p, c)) in packed.iter().zip(&candle).enumerate() {
            let diff = p
                .iter()
                .zip(c)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                diff < 2e-6,
                "text {i}: max difference {diff} from BertModel"
            );
            assert!(cosine(p, c) > 0.99999, "text {i}");
        }
    }

    fn bench_passages(per_set: usize) -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/embeddings/bench_passages.json"
        );
        let bench: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        ["short", "long"]
            .iter()
            .flat_map(|set| bench[set].as_array().unwrap().iter().take(per_set))
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    }

    fn loaded(arithmetic: Arithmetic) -> MiniLm {
        let mut m = MiniLm::load(&model_dir()).unwrap();
        m.set_arithmetic(arithmetic).unwrap();
        m
    }

    /// The int8 encoder on real passages (batches of note text, ~40 and ~120 word pieces)
    /// stays within the cosine bound of the fp32 one: mean ≥ 0.995, minimum ≥ 0.99, on the
    /// kernels this CPU runs and on the scalar emulation (which computes the same integers).
    #[test]
    fn int8_vectors_stay_within_the_cosine_bound_of_fp32() {
        let texts = bench_passages(48);
        let fp32 = embed_all(model(), &texts, 32, &|_| {}).unwrap();
        let mut isas = vec![quarry_bert::Isa::detect()];
        if isas[0] != quarry_bert::Isa::Scalar {
            isas.push(quarry_bert::Isa::Scalar);
        }
        // The emulation is slow in a debug build: it gets a few texts of each set (still
        // hundreds of word pieces a batch), compared with the vector kernels' on the same.
        let few: Vec<usize> = (0..6).chain(48..54).collect();
        let mut runs = Vec::new();
        for isa in isas {
            let m = loaded(Arithmetic::Int8(isa, quarry_bert::Plan::DEFAULT));
            let (texts, fp32): (Vec<String>, Vec<Vec<f32>>) = if isa == quarry_bert::Isa::Scalar {
                few.iter()
                    .map(|&i| (texts[i].clone(), fp32[i].clone()))
                    .unzip()
            } else {
                (texts.clone(), fp32.clone())
            };
            let int8 = embed_all(&m, &texts, 32, &|_| {}).unwrap();
            let cos: Vec<f32> = int8.iter().zip(&fp32).map(|(a, b)| cosine(a, b)).collect();
            let mean = cos.iter().sum::<f32>() / cos.len() as f32;
            let min = cos.iter().cloned().fold(1.0, f32::min);
            assert!(
                mean >= 0.995 && min >= 0.99,
                "{isa:?}: mean {mean}, min {min}"
            );
            // Quantisation did happen: the vectors are close, not equal.
            assert!(mean < 0.99999, "{isa:?}: int8 vectors equal fp32 ones");
            runs.push(int8);
        }
        // Same integers, same fused epilogue: the emulation equals the vector kernels up to
        // the fp32 parts (layer norm, GELU, softmax), which are compiled per CPU as well.
        if let [simd, emulated] = &runs[..] {
            for (&i, y) in few.iter().zip(emulated) {
                assert!(cosine(&simd[i], y) > 0.99999);
            }
        }
    }

    /// `auto` is int8 exactly where CPU detection finds fast integer kernels, and fp32
    /// elsewhere; forcing fp32 back on gives the reference vectors bit for bit, and a query
    /// (a batch of at most `SMALL_ROWS` word pieces) is fp32 at every precision.
    #[test]
    fn auto_follows_cpu_detection_and_fp32_can_be_forced() {
        use crate::embed::Precision;
        let isa = quarry_bert::Isa::detect();
        let auto = Precision::Auto.arithmetic();
        if isa.is_fast() {
            assert_eq!(auto, Arithmetic::Int8(isa, quarry_bert::Plan::DEFAULT));
        } else {
            assert_eq!(auto, Arithmetic::Fp32);
        }
        assert_eq!(Precision::Fp32.arithmetic(), Arithmetic::Fp32);
        assert!(matches!(Precision::Int8.arithmetic(), Arithmetic::Int8(i, _) if i == isa));
        assert_eq!(
            model().arithmetic(),
            Arithmetic::Fp32,
            "MiniLm::load is fp32"
        );

        let texts = bench_passages(2);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut m = loaded(Precision::Int8.arithmetic());
        let int8 = m.embed_batch(&refs).unwrap();
        let query = ["who is short on GPU capacity"];
        let int8_query = m.embed_batch(&query).unwrap();
        m.set_arithmetic(Arithmetic::Fp32).unwrap();
        let fp32 = model().embed_batch(&refs).unwrap();
        assert_eq!(m.embed_batch(&refs).unwrap(), fp32);
        assert_ne!(int8, fp32);
        assert_eq!(int8_query, model().embed_batch(&query).unwrap());
    }

    /// A checkpoint whose data is not 4-byte aligned in the file cannot be read in place;
    /// the packed encoder copies it and computes the same vectors.
    #[test]
    fn unaligned_weights_file_gives_the_same_vectors() {
        let src = model_dir();
        let dir = std::env::temp_dir().join(format!("quarry-unaligned-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["config.json", "tokenizer.json"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        let bytes = std::fs::read(src.join(WEIGHTS)).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!((8 + n) % 4, 0, "the installed checkpoint is aligned");
        // One more space of header: valid JSON, and every tensor one byte off alignment.
        let mut shifted = ((n + 1) as u64).to_le_bytes().to_vec();
        shifted.extend_from_slice(&bytes[8..8 + n]);
        shifted.push(b' ');
        shifted.extend_from_slice(&bytes[8 + n..]);
        std::fs::write(dir.join(WEIGHTS), shifted).unwrap();

        let text = ["Microsoft is scrambling for near-term GPU capacity."];
        let copied = MiniLm::load(&dir).unwrap().embed_batch(&text).unwrap();
        assert_eq!(copied, model().embed_batch(&text).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn long_text_is_truncated_at_256_word_pieces() {
        let long = reference()
            .sentences
            .into_iter()
            .find(|s| s.word_pieces > MAX_TOKENS)
            .unwrap();
        assert_eq!(model().token_count(&long.text).unwrap(), MAX_TOKENS);
    }

    #[test]
    fn padded_batches_equal_single_sentences() {
        let texts: Vec<String> = reference().sentences.into_iter().map(|s| s.text).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let model = model();
        let batched = model.embed_batch(&refs).unwrap();
        let sorted = embed_all(model, &texts, 3, &|_| {}).unwrap();
        for (i, t) in refs.iter().enumerate() {
            let single = &model.embed_batch(&[t]).unwrap()[0];
            for other in [&batched[i], &sorted[i]] {
                let diff = single
                    .iter()
                    .zip(other)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(
                    diff < 1e-5,
                    "text {i}: max difference {diff} between batched and single"
                );
            }
        }
    }

    #[test]
    fn empty_text_and_empty_batch() {
        assert!(model().embed_batch(&[]).unwrap().is_empty());
        let v = &model().embed_batch(&[""]).unwrap()[0];
        assert_eq!(v.len(), DIMS);
        assert!(v.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn related_texts_are_closer_than_unrelated_ones() {
        let v = model()
            .embed_batch(&[
                "how do I rotate my ssh keys",
                "Replace the SSH key pair on every server and revoke the old public key.",
                "The quarterly revenue forecast for the EMEA sales team.",
            ])
            .unwrap();
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.2);
    }

    #[test]
    fn broken_weights_are_a_clear_model_error() {
        model(); // says how to install the model when it is missing
        let src = model_dir();
        let dir = std::env::temp_dir().join(format!("quarry-broken-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["config.json", "tokenizer.json"] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        std::fs::write(dir.join(WEIGHTS), b"\x10\0\0\0\0\0\0\0{\"a\": 1}").unwrap();
        let err = MiniLm::load(&dir)
            .err()
            .expect("broken weights must not load")
            .to_string();
        assert!(
            err.contains("quarry model install") && err.contains("model.safetensors"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
