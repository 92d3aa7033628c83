//! The local profanity lexicon (`[[app.local_words]]`), as the Web SDK downloads it for its
//! filter plugin (npm `tim-profanity-filter-plugin`) with `im_msg_audit_mgr.get_local_words`.
//!
//! How the plugin reads it (from the pinned SDK and plugin): the SDK pages through the lexicon
//! (`startIndex` → `nextStartIndex` until `completeFlag` is 1), remembers `version` and asks
//! again after `expiredTime` seconds. Each word and its replacement arrive encrypted: AES-256-CBC
//! with PKCS#7 padding, base64, under a key of 32 characters that the answer carries in
//! `strToken` with each pair of characters swapped (the SDK swaps them back); the IV is the
//! key's first 16 bytes. That is the plugin's own scheme, reproduced here; it hides the words
//! from casual reading of the traffic, nothing more, since the key travels with them. Natter
//! makes a fresh key for every answer.
//!
//! The plugin appends what it receives to what it has, so an SDK that already holds this
//! version gets no words again; words removed from the lexicon stay in an SDK until it logs in
//! again (the plugin keeps its lists until then).

use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use natter_core::LocalWord;
use sha2::{Digest, Sha256};

/// Words per answer.
pub const PAGE: usize = 100;

/// How long an SDK keeps its lexicon before asking for changes, seconds.
pub const LIFETIME_SECS: u64 = 3600;

/// One page of the lexicon, for one SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconPage {
    pub words: Vec<EncryptedWord>,
    /// The key, pair-swapped as the SDK expects it.
    pub token: String,
    pub complete: bool,
    pub next_start: u64,
    pub version: u64,
    /// Whether the filter is on at all (the scene switches of the answer).
    pub filtering: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedWord {
    /// 1-based position in the lexicon.
    pub id: u64,
    pub word: String,
    pub replacement: String,
    /// 1: the message is not sent; 2: the word is replaced.
    pub filter_type: u64,
    /// 1: a word; 2: a regular expression.
    pub word_type: u64,
}

/// The lexicon's version: 0 for none, else a digest of its words below 2^53 (the SDK keeps it
/// in a JavaScript number).
pub fn version(words: &[LocalWord]) -> u64 {
    if words.is_empty() {
        return 0;
    }
    let mut digest = Sha256::new();
    for word in words {
        digest.update(word.word.as_bytes());
        digest.update([0, word.regex as u8]);
        match &word.replacement {
            Some(r) => {
                digest.update([1]);
                digest.update(r.as_bytes());
            }
            None => digest.update([2]),
        }
        digest.update([0xff]);
    }
    let bytes: [u8; 8] = digest.finalize()[..8].try_into().expect("8 bytes");
    (u64::from_be_bytes(bytes) & ((1 << 53) - 1)).max(1)
}

/// The page starting at `start` for an SDK holding `client_version` (0: none).
pub fn page(words: &[LocalWord], client_version: u64, start: u64) -> LexiconPage {
    let version = version(words);
    let key: String = (0..32)
        .map(|_| {
            const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            CHARS[rand::random_range(0..CHARS.len())] as char
        })
        .collect();
    let start = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .min(words.len());
    // An SDK that has this version gets nothing again (its plugin would hold every word twice).
    let end = if client_version == version {
        start
    } else {
        (start + PAGE).min(words.len())
    };
    let encrypted = words[start..end]
        .iter()
        .enumerate()
        .map(|(i, w)| EncryptedWord {
            id: (start + i + 1) as u64,
            word: encrypt(&key, &w.word),
            replacement: encrypt(&key, w.replacement.as_deref().unwrap_or("")),
            filter_type: if w.replacement.is_some() { 2 } else { 1 },
            word_type: if w.regex { 2 } else { 1 },
        })
        .collect();
    LexiconPage {
        words: encrypted,
        token: swap_pairs(&key),
        complete: end >= words.len() || client_version == version,
        next_start: end as u64,
        version,
        filtering: !words.is_empty(),
    }
}

/// Swaps each pair of characters (`abcd` → `badc`), as the SDK does to the token it gets.
pub fn swap_pairs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(2)
        .flat_map(|pair| pair.iter().rev().copied())
        .collect()
}

/// `text` encrypted as the plugin decrypts it: AES-256-CBC, PKCS#7, IV = the key's first 16
/// bytes, base64.
pub fn encrypt(key: &str, text: &str) -> String {
    let key = key.as_bytes();
    let cipher = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &key[..16])
        .expect("a 32-byte key and a 16-byte IV");
    let sealed = cipher.encrypt_padded_vec_mut::<Pkcs7>(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str, replacement: Option<&str>) -> LocalWord {
        LocalWord {
            word: w.into(),
            replacement: replacement.map(Into::into),
            regex: false,
        }
    }

    #[test]
    fn encryption_matches_the_plugins_scheme() {
        // Known answer of AES-256-CBC/PKCS#7 with IV = the key's first 16 bytes (openssl enc
        // -aes-256-cbc -K <hex of key> -iv <hex of its first 16 bytes>).
        let key = "0123456789abcdef0123456789abcdef";
        assert_eq!(encrypt(key, "badword"), "fH34LtKuXROeIBlEgojxcw==");
        assert_eq!(
            encrypt(key, ""),
            "OK6Do+3SKnHs8pZTnd9zIA==",
            "one block of padding"
        );
        assert_eq!(swap_pairs("abcde"), "badce");
        assert_eq!(swap_pairs(&swap_pairs(key)), key);
    }

    #[test]
    fn pages_run_to_the_end_and_a_known_version_gets_nothing() {
        let words: Vec<LocalWord> = (0..250).map(|i| word(&format!("w{i}"), None)).collect();
        let first = page(&words, 0, 0);
        assert_eq!(
            (first.words.len(), first.complete, first.next_start),
            (100, false, 100)
        );
        let last = page(&words, 0, 200);
        assert_eq!(
            (last.words.len(), last.complete, last.words[0].id),
            (50, true, 201)
        );
        let again = page(&words, first.version, 0);
        assert!(again.complete && again.words.is_empty());
        assert_eq!(version(&[]), 0);
        assert_ne!(version(&words[..1]), version(&[word("w0", Some("*"))]));
    }
}
