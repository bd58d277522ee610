//! Progress on stderr while something runs (hidden when stderr is not a terminal, so
//! piped output and tests stay clean).

use crate::error::CliError;
use futures::{Stream, TryStreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A spinner naming what is running; cleared when dropped.
pub struct Spinner(ProgressBar);

impl Spinner {
    pub fn start(what: &str) -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("  {spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(80));
        Self(bar)
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Collects every item of a paginating stream, counting them on stderr.
pub async fn collect<T, S>(stream: S, what: &str) -> Result<Vec<T>, CliError>
where
    S: Stream<Item = Result<T, flexshopper::Error>>,
{
    let spinner = Spinner::start(&format!("fetching {what}"));
    let mut all = Vec::new();
    futures::pin_mut!(stream);
    while let Some(item) = stream.try_next().await? {
        all.push(item);
        spinner
            .0
            .set_message(format!("fetched {} {what}", all.len()));
    }
    Ok(all)
}
