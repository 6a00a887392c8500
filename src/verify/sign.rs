//! The signing primitives `--verify`'s verifiers share: HMAC digests in hex
//! and base64, and the ES256 JWT of Coinbase's CDP keys. Pure functions.
