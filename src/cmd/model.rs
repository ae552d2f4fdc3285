//! `quarry model install` and `quarry model status`.

use super::Config;
use crate::cli::ModelCommand;
use crate::embed::{self, MODEL_NAME};
use anyhow::{Context, Result};

/// Runs `quarry model …`.
pub fn run(config: &Config, cmd: &ModelCommand) -> Result<i32> {
    let dir = &config.model_dir;
    match cmd {
        ModelCommand::Install(args) => {
            embed::install_with_hub(
                args.from.as_deref(),
                dir,
                &config.hub_endpoint,
                &mut |line| eprintln!("{line}"),
            )
            .with_context(|| format!("could not install {MODEL_NAME} into {}", dir.display()))?;
            Ok(0)
        }
        ModelCommand::Status => match embed::load_installed(&config.model_dir)? {
            Some(e) => {
                let info = e.info();
                println!("model      {} ({} dims)", info.name, info.dims);
                println!("folder     {}", dir.display());
                println!("weights    {}", info.weights_hash);
                Ok(0)
            }
            None => {
                println!("model      not installed (run `quarry model install`)");
                println!("folder     {}", dir.display());
                Ok(1)
            }
        },
    }
}
