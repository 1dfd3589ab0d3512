"""
Stand-in for edx-oauth2-provider, edx's layer over DOP on Ginkgo-era LMSes (contract
§1.4, §9): TrustedClient, the `create_oauth2_client` command, and the token view's
OpenID Connect additions (id_token, e-mail as username). Installed only by `ginkgo`.
"""
