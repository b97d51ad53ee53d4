//! Every Redis key claudomator uses, built in one place.
//!
//! Layout: `<prefix>:{<agent>}:<name>`. The prefix separates deployments (and tests); the hash
//! tag `{<agent>}` puts all keys of one agent type in one Redis Cluster slot, so every script
//! touching an agent's keys is single-slot. No key string is built anywhere else.

use crate::domain::{AgentKind, Priority};

/// The consumer group every worker joins on every task stream.
pub const GROUP: &str = "workers";

/// The consumer group notifier instances share on the events stream.
pub const NOTIFIER_GROUP: &str = "notifier";

/// The keys of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpace {
    prefix: String,
}

impl KeySpace {
    /// A key space under `prefix` (non-empty; no braces, so it can never form a hash tag).
    pub fn new(prefix: &str) -> anyhow::Result<KeySpace> {
        anyhow::ensure!(
            !prefix.is_empty() && !prefix.contains(['{', '}', ' ']),
            "Redis key prefix `{prefix}` must be non-empty without braces or spaces"
        );
        Ok(KeySpace {
            prefix: prefix.to_owned(),
        })
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The keys of the events feed.
    pub fn events(&self) -> EventKeys {
        EventKeys {
            base: format!("{}:{{events}}", self.prefix),
        }
    }

    /// The live log stream of one attempt (capped; expires a day after the attempt ends). Its
    /// own hash tag: logs spread over the cluster and touch no other key.
    pub fn execution_log(&self, task: crate::domain::TaskId, attempt: crate::domain::Attempt) -> String {
        format!("{}:{{log:{task}:{attempt}}}:lines", self.prefix)
    }

    /// The request counter of one client on one rate-limited API route (a fixed window; expires
    /// with it). Its own hash tag. `route` is a fixed name and `client` a token id; braces are
    /// dropped from both.
    pub fn rate_limit(&self, route: &'static str, client: &str) -> String {
        let clean = |s: &str| s.replace(['{', '}'], "");
        format!("{}:{{rate:{}:{}}}:count", self.prefix, clean(route), clean(client))
    }

    /// The keys of one agent type.
    pub fn agent(&self, agent: AgentKind) -> AgentKeys {
        AgentKeys {
            base: format!("{}:{{{}}}", self.prefix, agent.as_str()),
        }
    }
}

/// The keys of the events feed, all in one hash slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventKeys {
    base: String,
}

impl EventKeys {
    /// The capped stream every task event is appended to.
    pub fn stream(&self) -> String {
        format!("{}:stream", self.base)
    }
    /// Changes when Redis lost the feed (the relay then re-publishes recent events).
    pub fn generation(&self) -> String {
        format!("{}:generation", self.base)
    }
    /// Every key.
    pub fn all(&self) -> Vec<String> {
        vec![self.stream(), self.generation()]
    }
}

/// The keys of one agent type, all in one hash slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentKeys {
    base: String,
}

impl AgentKeys {
    /// The stream of one priority.
    pub fn stream(&self, p: Priority) -> String {
        format!("{}:stream:{}", self.base, p.as_str())
    }
    /// The three streams, highest priority first (the order scripts take them in).
    pub fn streams(&self) -> [String; 3] {
        [
            self.stream(Priority::High),
            self.stream(Priority::Normal),
            self.stream(Priority::Low),
        ]
    }
    /// Delayed orders (zset scored by due time in ms).
    pub fn delayed(&self) -> String {
        format!("{}:delayed", self.base)
    }
    /// Fleet-wide run slots (zset scored by expiry in ms).
    pub fn slots(&self) -> String {
        format!("{}:slots", self.base)
    }
    /// Mirror of the agent's settings (hash: limit, paused, paused_until_ms).
    pub fn settings(&self) -> String {
        format!("{}:settings", self.base)
    }
    /// Dispatch generation: changes when Redis lost this agent's data.
    pub fn generation(&self) -> String {
        format!("{}:generation", self.base)
    }
    /// Lock so one reconciler at a time works on this agent.
    pub fn reconcile_lock(&self) -> String {
        format!("{}:reconcile-lock", self.base)
    }
    /// Every key, for cleanup and tests.
    pub fn all(&self) -> Vec<String> {
        let mut v = self.streams().to_vec();
        v.extend([
            self.delayed(),
            self.slots(),
            self.settings(),
            self.generation(),
            self.reconcile_lock(),
        ]);
        v
    }
}

/// Index of a priority in [`AgentKeys::streams`] and in script arguments (1-based, as Lua).
pub fn priority_index(p: Priority) -> u8 {
    match p {
        Priority::High => 1,
        Priority::Normal => 2,
        Priority::Low => 3,
    }
}

/// Inverse of [`priority_index`].
pub fn priority_from_index(i: u8) -> Option<Priority> {
    match i {
        1 => Some(Priority::High),
        2 => Some(Priority::Normal),
        3 => Some(Priority::Low),
        _ => None,
    }
}

/// The Redis Cluster hash slot of a key (CRC16/XMODEM of the hash tag, mod 16384).
pub fn hash_slot(key: &str) -> u16 {
    let bytes = key.as_bytes();
    let tagged = bytes.iter().position(|b| *b == b'{').and_then(|open| {
        let rest = &bytes[open + 1..];
        rest.iter()
            .position(|b| *b == b'}')
            .filter(|len| *len > 0)
            .map(|len| &rest[..len])
    });
    let data = tagged.unwrap_or(bytes);
    let mut crc: u16 = 0;
    for b in data {
        crc ^= u16::from(*b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16384
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_keys_of_an_agent_share_one_slot_and_the_prefix() {
        let ks = KeySpace::new("cm-test-1").unwrap();
        for agent in AgentKind::ALL {
            let keys = ks.agent(*agent).all();
            let slot = hash_slot(&keys[0]);
            for k in &keys {
                assert!(k.starts_with("cm-test-1:"), "{k}");
                assert_eq!(hash_slot(k), slot, "{k}");
            }
        }
        assert_ne!(
            hash_slot(&ks.agent(AgentKind::Claude).slots()),
            hash_slot(&ks.agent(AgentKind::Exec).slots())
        );
    }

    #[test]
    fn hash_slot_matches_redis() {
        // Values from the Redis Cluster specification and `CLUSTER KEYSLOT`.
        assert_eq!(hash_slot("123456789"), 12739);
        assert_eq!(hash_slot("{user1000}.following"), hash_slot("{user1000}.followers"));
        assert_eq!(hash_slot("foo{}{bar}"), hash_slot("foo{}{bar}"));
        assert_eq!(hash_slot("foo"), 12182);
    }

    #[test]
    fn rate_limit_counters_have_a_tag_per_client() {
        let ks = KeySpace::new("cm").unwrap();
        assert_eq!(ks.rate_limit("elaborate", "t1"), "cm:{rate:elaborate:t1}:count");
        assert_eq!(ks.rate_limit("validate", "a}{b"), "cm:{rate:validate:ab}:count");
    }

    #[test]
    fn prefixes_cannot_smuggle_hash_tags() {
        assert!(KeySpace::new("a{b}").is_err());
        assert!(KeySpace::new("").is_err());
    }

    #[test]
    fn priority_indexes_round_trip() {
        for p in Priority::ALL {
            assert_eq!(priority_from_index(priority_index(*p)), Some(*p));
        }
    }
}
