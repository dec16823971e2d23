//! Rightsdesk: receive, verify, work and answer data-subject-rights requests.
//!
//! Layers, from the inside out: [`domain`] (pure rules), [`db`] (storage),
//! [`mail`] and [`templates`] (what is sent and shown), [`service`] (use
//! cases, one transaction each), [`web`] and [`jobs`] (how they are reached),
//! [`startup`] (wiring), [`cli`] (commands).

pub mod admin;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod files;
pub mod jobs;
pub mod mail;
pub mod secret;
pub mod service;
pub mod startup;
pub mod templates;
pub mod web;
