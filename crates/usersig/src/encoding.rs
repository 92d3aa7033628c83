//! The outer wrapping: zlib, then base64 with Tencent's URL-safe swap (`+`→`*`, `/`→`-`, `=`→`_`).

use std::io::{Read, Write};

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;

/// A decoded document is a few hundred bytes; anything larger than this is refused, which
/// guards against decompression bombs.
const MAX_INFLATED_BYTES: u64 = 16 * 1024;

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// zlib (default level) + Tencent's base64, as the Python and Node libraries write it.
pub fn encode_wrapped(json: &[u8]) -> String {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(json).expect("writing to a Vec cannot fail");
    let compressed = z.finish().expect("finishing into a Vec cannot fail");
    base64::engine::general_purpose::STANDARD
        .encode(compressed)
        .chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

/// Undoes [`encode_wrapped`]. Also accepts plain standard base64 (one public Rust library sends
/// that), missing padding, whitespace, and a space where a `+` was form-decoded from a query string.
pub fn decode_wrapped(usersig: &str) -> Result<Vec<u8>, String> {
    let standard: String = usersig
        .trim()
        .chars()
        .filter_map(|c| match c {
            '*' | ' ' => Some('+'),
            '-' => Some('/'),
            '_' | '=' => None,
            '\t' | '\r' | '\n' => None,
            c => Some(c),
        })
        .collect();
    let compressed = LENIENT
        .decode(standard.as_bytes())
        .map_err(|e| format!("not base64: {e}"))?;
    let mut out = Vec::new();
    ZlibDecoder::new(&compressed[..])
        .take(MAX_INFLATED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("not a zlib stream: {e}"))?;
    if out.len() as u64 > MAX_INFLATED_BYTES {
        return Err(format!("inflates to more than {MAX_INFLATED_BYTES} bytes"));
    }
    Ok(out)
}
