//! Money: a task's `budget_usd` bounds the sum of its attempts' costs, and the price table that
//! turns reported tokens into a cost for agents whose CLI reports none (Gemini).
//!
//! Each attempt is given what is left ([`remaining`]); the CLI that can stop itself (Claude
//! Code's `--max-budget-usd`) stops there. Whatever the CLI did, [`charge`] decides after the
//! attempt: a task whose attempts have spent the budget ends BUDGET_EXCEEDED instead of being
//! retried into a bigger bill.

use super::outcome::AttemptOutcome;

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Per million input tokens.
    pub input: f64,
    /// Per million output tokens.
    pub output: f64,
}

/// Prices by model-name prefix (the longest matching prefix wins, so `gemini-2.5-flash-lite`
/// is not priced as `gemini-2.5-flash`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriceTable(Vec<(String, Price)>);

/// The default `GEMINI_PRICES`: Google's list prices (standard tier, prompts up to 200k tokens).
pub const DEFAULT_GEMINI_PRICES: &str =
    "gemini-2.5-pro=1.25:10,gemini-2.5-flash=0.30:2.50,gemini-2.5-flash-lite=0.10:0.40";

/// Most entries of a price table.
const MAX_ENTRIES: usize = 64;

impl PriceTable {
    /// Parses `model=input:output,...` (USD per million tokens). Empty: no prices.
    pub fn parse(s: &str) -> Result<PriceTable, String> {
        let mut out = Vec::new();
        for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (model, prices) = entry
                .split_once('=')
                .ok_or_else(|| format!("`{entry}` is not model=input:output"))?;
            let (i, o) = prices
                .split_once(':')
                .ok_or_else(|| format!("`{entry}` is not model=input:output"))?;
            let num = |v: &str| -> Result<f64, String> {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .ok_or_else(|| format!("`{v}` in `{entry}` is not a price"))
            };
            let model = model.trim();
            if model.is_empty() {
                return Err(format!("`{entry}` names no model"));
            }
            out.push((
                model.to_owned(),
                Price {
                    input: num(i)?,
                    output: num(o)?,
                },
            ));
        }
        if out.len() > MAX_ENTRIES {
            return Err(format!("at most {MAX_ENTRIES} models"));
        }
        Ok(PriceTable(out))
    }

    /// The price of `model`: its longest listed prefix.
    pub fn price(&self, model: &str) -> Option<Price> {
        self.0
            .iter()
            .filter(|(prefix, _)| model.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, p)| *p)
    }

    /// The cost of these tokens with `model`, when it has a price and tokens were reported.
    pub fn cost(&self, model: &str, tokens_in: Option<i64>, tokens_out: Option<i64>) -> Option<f64> {
        let p = self.price(model)?;
        if tokens_in.is_none() && tokens_out.is_none() {
            return None;
        }
        #[allow(clippy::cast_precision_loss)] // token counts are far below 2^52
        let mtok = |t: Option<i64>| t.unwrap_or(0).max(0) as f64 / 1_000_000.0;
        Some(mtok(tokens_in) * p.input + mtok(tokens_out) * p.output)
    }
}

/// What an attempt may spend: the budget less what earlier attempts spent (never negative).
pub fn remaining(budget: Option<f64>, spent: f64) -> Option<f64> {
    budget.map(|b| (b - spent).max(0.0))
}

/// Whether nothing is left to spend.
pub fn exhausted(budget: Option<f64>, spent: f64) -> bool {
    budget.is_some_and(|b| spent >= b)
}

/// The outcome once the attempt's cost is charged against the task's budget: over the budget
/// is BUDGET_EXCEEDED (even when the attempt succeeded: the limit is the caller's), and a
/// failure that left nothing to spend on a retry is BUDGET_EXCEEDED too. Questions, subtasks,
/// timeouts (resumable) and stops keep their outcome.
pub fn charge(
    outcome: Option<AttemptOutcome>,
    budget: Option<f64>,
    spent_before: f64,
    cost: Option<f64>,
) -> Option<AttemptOutcome> {
    let Some(b) = budget else { return outcome };
    let total = spent_before + cost.unwrap_or(0.0);
    match outcome {
        Some(AttemptOutcome::Succeeded) if total > b => Some(AttemptOutcome::BudgetExceeded),
        Some(AttemptOutcome::Failed { .. } | AttemptOutcome::RateLimited { .. }) if total >= b => {
            Some(AttemptOutcome::BudgetExceeded)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_parses_and_the_longest_prefix_wins() {
        let t = PriceTable::parse(DEFAULT_GEMINI_PRICES).unwrap();
        assert_eq!(t.price("gemini-2.5-flash-lite-preview").unwrap().input, 0.10);
        assert_eq!(t.price("gemini-2.5-flash").unwrap().input, 0.30);
        assert_eq!(t.price("gemini-2.5-pro").unwrap().output, 10.0);
        assert!(t.price("gpt-5").is_none());
        let c = t.cost("gemini-2.5-pro", Some(1_000_000), Some(100_000)).unwrap();
        assert!((c - 2.25).abs() < 1e-9, "{c}");
        assert!(t.cost("gemini-2.5-pro", None, None).is_none());
    }

    #[test]
    fn bad_tables_are_refused() {
        for bad in ["gemini", "gemini=1", "=1:2", "g=x:1", "g=-1:1"] {
            assert!(PriceTable::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PriceTable::parse("").unwrap(), PriceTable::default());
    }

    #[test]
    fn attempts_share_one_budget() {
        // 1.00 budget, 0.60 per attempt: the first fails and may retry, the second is over.
        assert_eq!(remaining(Some(1.0), 0.6), Some(0.4));
        let failed = || {
            Some(AttemptOutcome::Failed {
                transient: true,
                error: "x".into(),
            })
        };
        assert_eq!(charge(failed(), Some(1.0), 0.0, Some(0.6)), failed());
        assert_eq!(
            charge(failed(), Some(1.0), 0.6, Some(0.6)),
            Some(AttemptOutcome::BudgetExceeded)
        );
        assert_eq!(
            charge(Some(AttemptOutcome::Succeeded), Some(1.0), 0.6, Some(0.6)),
            Some(AttemptOutcome::BudgetExceeded)
        );
        assert_eq!(
            charge(Some(AttemptOutcome::Succeeded), Some(1.0), 0.3, Some(0.6)),
            Some(AttemptOutcome::Succeeded)
        );
        assert_eq!(charge(failed(), None, 9.0, Some(9.0)), failed());
        assert_eq!(
            charge(Some(AttemptOutcome::TimedOut), Some(1.0), 2.0, None),
            Some(AttemptOutcome::TimedOut)
        );
        assert!(exhausted(Some(1.0), 1.0) && !exhausted(Some(1.0), 0.99) && !exhausted(None, 5.0));
    }
}
