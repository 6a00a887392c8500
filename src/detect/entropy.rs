//! Pure scoring functions for candidate secret values: Shannon entropy and
//! the character-class checks that tell a random key from a word or a path.

/// Shannon entropy of `bytes` in bits per byte.
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// True when the value mixes letters and digits, as generated keys do and
/// identifiers, words and paths mostly don't.
pub fn has_letters_and_digits(bytes: &[u8]) -> bool {
    bytes.iter().any(u8::is_ascii_digit) && bytes.iter().any(u8::is_ascii_alphabetic)
}

/// The longest run of one repeated byte.
pub fn longest_run(bytes: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for &b in bytes {
        if Some(b) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(b);
        }
        best = best.max(run);
    }
    best
}

/// The longest run of consecutive ascending bytes (`abcdef`, `123456`), a sign of a
/// hand-typed stand-in.
pub fn longest_sequence(bytes: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    for w in bytes.windows(2) {
        if w[1] == w[0].wrapping_add(1) {
            run += 1;
            best = best.max(run + 1);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_random_above_repetitive() {
        assert_eq!(shannon(b"aaaaaaaa"), 0.0);
        assert!((shannon(b"abababab") - 1.0).abs() < 1e-9);
        assert!(shannon(b"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A") > 4.5);
    }

    #[test]
    fn character_classes() {
        assert!(has_letters_and_digits(b"abc1"));
        assert!(!has_letters_and_digits(b"abcdef"));
        assert!(!has_letters_and_digits(b"123456"));
        assert_eq!(longest_run(b"abxxxxc"), 4);
        assert_eq!(longest_sequence(b"zzabcdefzz"), 6);
    }
}
