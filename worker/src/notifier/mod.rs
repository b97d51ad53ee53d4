//! Notifications to people watching tasks: fans task events out as Web Push messages to the
//! browsers that subscribed.

pub mod service;
pub mod webpush;
