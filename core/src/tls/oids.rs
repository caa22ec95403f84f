//! The attribute type names OpenSSL prints in a subject (`-nameopt RFC2253` uses the short
//! names), and the ones a configured DN string may use.
//!
//! The table was read from openssl 3.0 itself: one certificate per attribute type, its subject
//! printed with `-nameopt RFC2253` (tests/cert checks the common ones against openssl on every
//! run). A type OpenSSL has no name for prints as its dotted OID with a `#hex` value.

/// `(dotted OID, OpenSSL's short name)`, the types OpenSSL names in a subject.
pub(crate) const OPENSSL_SHORT_NAMES: &[(&str, &str)] = &[
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.10", "manager"),
    ("0.9.2342.19200300.100.1.11", "documentIdentifier"),
    ("0.9.2342.19200300.100.1.12", "documentTitle"),
    ("0.9.2342.19200300.100.1.13", "documentVersion"),
    ("0.9.2342.19200300.100.1.14", "documentAuthor"),
    ("0.9.2342.19200300.100.1.15", "documentLocation"),
    ("0.9.2342.19200300.100.1.2", "textEncodedORAddress"),
    ("0.9.2342.19200300.100.1.20", "homeTelephoneNumber"),
    ("0.9.2342.19200300.100.1.21", "secretary"),
    ("0.9.2342.19200300.100.1.22", "otherMailbox"),
    ("0.9.2342.19200300.100.1.23", "lastModifiedTime"),
    ("0.9.2342.19200300.100.1.24", "lastModifiedBy"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("0.9.2342.19200300.100.1.26", "aRecord"),
    ("0.9.2342.19200300.100.1.27", "pilotAttributeType27"),
    ("0.9.2342.19200300.100.1.28", "mXRecord"),
    ("0.9.2342.19200300.100.1.29", "nSRecord"),
    ("0.9.2342.19200300.100.1.3", "mail"),
    ("0.9.2342.19200300.100.1.30", "sOARecord"),
    ("0.9.2342.19200300.100.1.31", "cNAMERecord"),
    ("0.9.2342.19200300.100.1.37", "associatedDomain"),
    ("0.9.2342.19200300.100.1.38", "associatedName"),
    ("0.9.2342.19200300.100.1.39", "homePostalAddress"),
    ("0.9.2342.19200300.100.1.4", "info"),
    ("0.9.2342.19200300.100.1.40", "personalTitle"),
    ("0.9.2342.19200300.100.1.41", "mobileTelephoneNumber"),
    ("0.9.2342.19200300.100.1.42", "pagerTelephoneNumber"),
    ("0.9.2342.19200300.100.1.43", "friendlyCountryName"),
    ("0.9.2342.19200300.100.1.44", "uid"),
    ("0.9.2342.19200300.100.1.45", "organizationalStatus"),
    ("0.9.2342.19200300.100.1.46", "janetMailbox"),
    ("0.9.2342.19200300.100.1.47", "mailPreferenceOption"),
    ("0.9.2342.19200300.100.1.48", "buildingName"),
    ("0.9.2342.19200300.100.1.49", "dSAQuality"),
    ("0.9.2342.19200300.100.1.5", "favouriteDrink"),
    ("0.9.2342.19200300.100.1.50", "singleLevelQuality"),
    ("0.9.2342.19200300.100.1.51", "subtreeMinimumQuality"),
    ("0.9.2342.19200300.100.1.52", "subtreeMaximumQuality"),
    ("0.9.2342.19200300.100.1.53", "personalSignature"),
    ("0.9.2342.19200300.100.1.54", "dITRedirect"),
    ("0.9.2342.19200300.100.1.55", "audio"),
    ("0.9.2342.19200300.100.1.56", "documentPublisher"),
    ("0.9.2342.19200300.100.1.6", "roomNumber"),
    ("0.9.2342.19200300.100.1.7", "photo"),
    ("0.9.2342.19200300.100.1.8", "userClass"),
    ("0.9.2342.19200300.100.1.9", "host"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
    ("1.2.840.113549.1.9.14", "extReq"),
    ("1.2.840.113549.1.9.15", "SMIME-CAPS"),
    ("1.2.840.113549.1.9.16", "SMIME"),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.2.840.113549.1.9.20", "friendlyName"),
    ("1.2.840.113549.1.9.3", "contentType"),
    ("1.2.840.113549.1.9.4", "messageDigest"),
    ("1.2.840.113549.1.9.5", "signingTime"),
    ("1.2.840.113549.1.9.6", "countersignature"),
    ("1.2.840.113549.1.9.7", "challengePassword"),
    ("1.2.840.113549.1.9.8", "unstructuredAddress"),
    ("1.2.840.113549.1.9.9", "extendedCertificateAttributes"),
    ("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"),
    ("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"),
    ("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"),
    ("1.3.6.1.5.5.7.9.1", "id-pda-dateOfBirth"),
    ("1.3.6.1.5.5.7.9.2", "id-pda-placeOfBirth"),
    ("1.3.6.1.5.5.7.9.3", "id-pda-gender"),
    ("1.3.6.1.5.5.7.9.4", "id-pda-countryOfCitizenship"),
    ("1.3.6.1.5.5.7.9.5", "id-pda-countryOfResidence"),
    ("2.5.4.10", "O"),
    ("2.5.4.100", "dnsName"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.14", "searchGuide"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.18", "postOfficeBox"),
    ("2.5.4.19", "physicalDeliveryOfficeName"),
    ("2.5.4.20", "telephoneNumber"),
    ("2.5.4.21", "telexNumber"),
    ("2.5.4.22", "teletexTerminalIdentifier"),
    ("2.5.4.23", "facsimileTelephoneNumber"),
    ("2.5.4.24", "x121Address"),
    ("2.5.4.25", "internationaliSDNNumber"),
    ("2.5.4.26", "registeredAddress"),
    ("2.5.4.27", "destinationIndicator"),
    ("2.5.4.28", "preferredDeliveryMethod"),
    ("2.5.4.29", "presentationAddress"),
    ("2.5.4.3", "CN"),
    ("2.5.4.30", "supportedApplicationContext"),
    ("2.5.4.31", "member"),
    ("2.5.4.32", "owner"),
    ("2.5.4.33", "roleOccupant"),
    ("2.5.4.34", "seeAlso"),
    ("2.5.4.35", "userPassword"),
    ("2.5.4.36", "userCertificate"),
    ("2.5.4.37", "cACertificate"),
    ("2.5.4.38", "authorityRevocationList"),
    ("2.5.4.39", "certificateRevocationList"),
    ("2.5.4.4", "SN"),
    ("2.5.4.40", "crossCertificatePair"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "GN"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "x500UniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
    ("2.5.4.47", "enhancedSearchGuide"),
    ("2.5.4.48", "protocolInformation"),
    ("2.5.4.49", "distinguishedName"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.50", "uniqueMember"),
    ("2.5.4.51", "houseIdentifier"),
    ("2.5.4.52", "supportedAlgorithms"),
    ("2.5.4.53", "deltaRevocationList"),
    ("2.5.4.54", "dmdName"),
    ("2.5.4.6", "C"),
    ("2.5.4.65", "pseudonym"),
    ("2.5.4.7", "L"),
    ("2.5.4.72", "role"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "street"),
    ("2.5.4.97", "organizationIdentifier"),
];

/// The dotted OID of commonName.
pub const COMMON_NAME: &str = "2.5.4.3";
/// The dotted OID of organizationalUnitName.
pub const ORGANIZATIONAL_UNIT: &str = "2.5.4.11";
/// The dotted OID of organizationName.
pub const ORGANIZATION: &str = "2.5.4.10";
/// The dotted OID of localityName.
pub const LOCALITY: &str = "2.5.4.7";
/// The dotted OID of stateOrProvinceName.
pub const STATE_OR_PROVINCE: &str = "2.5.4.8";
/// The dotted OID of countryName.
pub const COUNTRY: &str = "2.5.4.6";
/// The dotted OID of domainComponent.
pub const DOMAIN_COMPONENT: &str = "0.9.2342.19200300.100.1.25";
/// The dotted OID of emailAddress (PKCS #9).
pub const EMAIL_ADDRESS: &str = "1.2.840.113549.1.9.1";
/// The dotted OID of userId (`UID` in RFC 4514).
pub const USER_ID: &str = "0.9.2342.19200300.100.1.1";

/// Names a configured DN string may use besides OpenSSL's short names: RFC 4514's and RFC
/// 1779's descriptors and the aliases other tools print (`E`, `EMAIL`, `S`), matched without
/// regard to case before the table above (so `uid` is RFC 4514's userId, not OpenSSL's
/// lowercase `uid`, which is uniqueIdentifier).
const ALIASES: &[(&str, &str)] = &[
    ("CN", COMMON_NAME),
    ("commonName", COMMON_NAME),
    ("C", COUNTRY),
    ("countryName", COUNTRY),
    ("L", LOCALITY),
    ("localityName", LOCALITY),
    ("ST", STATE_OR_PROVINCE),
    ("S", STATE_OR_PROVINCE),
    ("stateOrProvinceName", STATE_OR_PROVINCE),
    ("O", ORGANIZATION),
    ("organizationName", ORGANIZATION),
    ("OU", ORGANIZATIONAL_UNIT),
    ("organizationalUnitName", ORGANIZATIONAL_UNIT),
    ("STREET", "2.5.4.9"),
    ("streetAddress", "2.5.4.9"),
    ("DC", DOMAIN_COMPONENT),
    ("domainComponent", DOMAIN_COMPONENT),
    ("UID", USER_ID),
    ("userId", USER_ID),
    ("E", EMAIL_ADDRESS),
    ("EMAIL", EMAIL_ADDRESS),
    ("emailAddress", EMAIL_ADDRESS),
    ("SERIALNUMBER", "2.5.4.5"),
    ("POSTALCODE", "2.5.4.17"),
    ("GN", "2.5.4.42"),
    ("givenName", "2.5.4.42"),
    ("SN", "2.5.4.4"),
    ("surname", "2.5.4.4"),
];

/// OpenSSL's short name for a dotted OID, if OpenSSL has one.
pub fn openssl_short_name(oid: &str) -> Option<&'static str> {
    // The types nearly every subject uses, before the scan of the whole table.
    let common = match oid {
        COMMON_NAME => Some("CN"),
        ORGANIZATIONAL_UNIT => Some("OU"),
        ORGANIZATION => Some("O"),
        LOCALITY => Some("L"),
        STATE_OR_PROVINCE => Some("ST"),
        COUNTRY => Some("C"),
        DOMAIN_COMPONENT => Some("DC"),
        EMAIL_ADDRESS => Some("emailAddress"),
        USER_ID => Some("UID"),
        _ => None,
    };
    common.or_else(|| OPENSSL_SHORT_NAMES.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n))
}

/// The dotted OID an attribute type in a DN string names: a descriptor (any case), a dotted
/// OID, or a dotted OID after `OID.`. `None` for anything else.
pub fn oid_for_type_name(name: &str) -> Option<String> {
    if let Some((_, oid)) = ALIASES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Some((*oid).to_string());
    }
    if let Some((oid, _)) = OPENSSL_SHORT_NAMES.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) {
        return Some((*oid).to_string());
    }
    let dotted = name.strip_prefix("OID.").or_else(|| name.strip_prefix("oid.")).unwrap_or(name);
    is_dotted_oid(dotted).then(|| dotted.to_string())
}

/// A dotted OID: at least two arcs of decimal digits, no leading zeros (RFC 4512 numericoid).
fn is_dotted_oid(s: &str) -> bool {
    let arcs: Vec<&str> = s.split('.').collect();
    arcs.len() >= 2
        && arcs
            .iter()
            .all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) && (a.len() == 1 || !a.starts_with('0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_oids() {
        assert_eq!(oid_for_type_name("cn").as_deref(), Some(COMMON_NAME));
        assert_eq!(oid_for_type_name("uid").as_deref(), Some(USER_ID));
        assert_eq!(oid_for_type_name("E").as_deref(), Some(EMAIL_ADDRESS));
        assert_eq!(oid_for_type_name("emailaddress").as_deref(), Some(EMAIL_ADDRESS));
        assert_eq!(oid_for_type_name("businessCategory").as_deref(), Some("2.5.4.15"));
        assert_eq!(oid_for_type_name("OID.1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(oid_for_type_name("1.2.3.4").as_deref(), Some("1.2.3.4"));
        assert_eq!(oid_for_type_name("1.02"), None);
        assert_eq!(oid_for_type_name("1"), None);
        assert_eq!(oid_for_type_name("nonsense"), None);
        assert_eq!(oid_for_type_name(""), None);
        assert_eq!(openssl_short_name(USER_ID), Some("UID"));
        assert_eq!(openssl_short_name(EMAIL_ADDRESS), Some("emailAddress"));
        assert_eq!(openssl_short_name("1.2.3.4"), None);
        // The fast path agrees with OpenSSL's table.
        for (oid, name) in OPENSSL_SHORT_NAMES {
            assert_eq!(openssl_short_name(oid), Some(*name), "{oid}");
        }
    }
}
