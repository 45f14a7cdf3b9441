"""电子证照与电子印章: license types, GB/T 36904 identifiers, SM2 seals after GB/T 38540, issuance from
applications, verification online and offline, the holder's wallet and reuse (免提交)."""
