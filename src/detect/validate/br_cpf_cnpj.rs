//! Brazilian taxpayer ids: CPF (persons, 11 digits) and CNPJ (companies,
//! 14 digits), each with two mod-11 check digits; all-same-digit numbers are
//! rejected.

use super::digits;
use super::luhn::all_same;

fn mod11_digit(ds: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = ds
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum();
    let r = sum % 11;
    if r < 2 { 0 } else { (11 - r) as u8 }
}

pub fn br_cpf(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 11 || all_same(&ds) {
        return false;
    }
    let w1: Vec<u32> = (2..=10).rev().collect();
    let w2: Vec<u32> = (2..=11).rev().collect();
    let (Some(head9), Some(head10)) = (ds.get(..9), ds.get(..10)) else {
        return false;
    };
    ds.get(9) == Some(&mod11_digit(head9, &w1)) && ds.get(10) == Some(&mod11_digit(head10, &w2))
}

pub fn br_cnpj(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 14 || all_same(&ds) {
        return false;
    }
    const W1: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const W2: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let (Some(head12), Some(head13)) = (ds.get(..12), ds.get(..13)) else {
        return false;
    };
    ds.get(12) == Some(&mod11_digit(head12, &W1)) && ds.get(13) == Some(&mod11_digit(head13, &W2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf() {
        assert!(br_cpf("529.982.247-25"));
        assert!(br_cpf("52998224725"));
        assert!(!br_cpf("529.982.247-26"));
        assert!(!br_cpf("111.111.111-11"));
        assert!(!br_cpf("529.982.247-2"));
        assert!(!br_cpf(""));
        assert!(!br_cpf("ç"));
    }

    #[test]
    fn cnpj() {
        assert!(br_cnpj("11.222.333/0001-81"));
        assert!(br_cnpj("11222333000181"));
        assert!(!br_cnpj("11.222.333/0001-82"));
        assert!(!br_cnpj("00.000.000/0000-00"));
        assert!(!br_cnpj("11.222.333/0001-8"));
        assert!(!br_cnpj(""));
    }
}
