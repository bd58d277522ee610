//! Merchant listings as auto-paginating streams: pages of up to 1000 are fetched as
//! the stream is consumed, each page retried like any GET.

use crate::client::FlexShopper;
use crate::error::Error;
use crate::fulfilment::Transaction;
use crate::retry::Safety;
use chrono::NaiveDate;
use flexshopper_api::types;
use futures::stream::{self, Stream, StreamExt};
use std::num::NonZeroU64;

/// The largest page FlexShopper serves.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Filters and page size for [`FlexShopper::transactions`].
///
/// ```
/// let filter = flexshopper::TransactionFilter::default().lease_status("signed").page_size(500);
/// # let _ = filter;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct TransactionFilter {
    lease_status: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    page_size: Option<u32>,
}

impl TransactionFilter {
    /// Only transactions whose lease has this status (`signed`, `pending`).
    pub fn lease_status(mut self, s: impl Into<String>) -> Self {
        self.lease_status = Some(s.into());
        self
    }

    /// Created on or after this date.
    pub fn from_date(mut self, d: NaiveDate) -> Self {
        self.from = Some(d);
        self
    }

    /// Created on or before this date.
    pub fn to_date(mut self, d: NaiveDate) -> Self {
        self.to = Some(d);
        self
    }

    /// Page size (1 to 1000; default 1000, the fewest requests).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }
}

fn page_size(n: Option<u32>) -> NonZeroU64 {
    NonZeroU64::new(u64::from(
        n.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
    ))
    .unwrap_or(NonZeroU64::MIN)
}

/// Turns "fetch page n → (items, total pages)" into a flat stream of items.
fn paginate<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: Fn(u64) -> Fut + Clone,
    Fut: std::future::Future<Output = Result<(Vec<T>, u64), Error>>,
{
    stream::try_unfold(Some(1u64), move |page| {
        let fetch = fetch.clone();
        async move {
            let Some(page) = page else { return Ok(None) };
            let (items, total_pages) = fetch(page).await?;
            let next = (page < total_pages && !items.is_empty()).then_some(page + 1);
            Ok(Some((stream::iter(items.into_iter().map(Ok)), next)))
        }
    })
    .map(|r: Result<_, Error>| match r {
        Ok(s) => s.left_stream(),
        Err(e) => stream::once(async { Err(e) }).right_stream(),
    })
    .flatten()
}

impl FlexShopper {
    /// Every transaction matching `filter`, fetched page by page as the stream is read.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.transactions(Default::default()).try_collect().await?;
    /// assert!(all.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn transactions(
        &self,
        filter: TransactionFilter,
    ) -> impl Stream<Item = Result<Transaction, Error>> + Send + '_ {
        let limit = page_size(filter.page_size);
        paginate(move |page| {
            let filter = filter.clone();
            async move {
                let api = self.api();
                let r = self
                    .send("getTransactions", Safety::Idempotent, || {
                        let mut b = api.get_transactions().page(page_param(page)).limit(limit);
                        if let Some(s) = &filter.lease_status {
                            b = b.lease_status(s.clone());
                        }
                        if let Some(d) = filter.from {
                            b = b.from_date(d);
                        }
                        if let Some(d) = filter.to {
                            b = b.to_date(d);
                        }
                        b.send()
                    })
                    .await?;
                let items = r
                    .data
                    .transactions
                    .into_iter()
                    .map(Transaction::from)
                    .collect();
                Ok((items, r.data.meta.total_pages))
            }
        })
    }

    /// Every customer of the merchant, page by page.
    pub fn users(
        &self,
        page_size_hint: Option<u32>,
    ) -> impl Stream<Item = Result<types::User, Error>> + Send + '_ {
        let limit = page_size(page_size_hint);
        paginate(move |page| async move {
            let api = self.api();
            let r = self
                .send("getUsers", Safety::Idempotent, || {
                    api.get_users().page(page_param(page)).limit(limit).send()
                })
                .await?;
            Ok((r.data.users, r.data.meta.total_pages))
        })
    }
}

fn page_param(page: u64) -> NonZeroU64 {
    NonZeroU64::new(page).unwrap_or(NonZeroU64::MIN)
}
