"""The licenses app's pages: public verification (`public`), the holder's 证照夹 and 免提交 (`wallet`), and the
console's license types, seals and issued licenses (`console`)."""
