"""
Stand-in for django-oauth2-provider (DOP, `provider`), the OAuth2 library of Ginkgo-era
LMSes (contract §2.2). Installed only by the `ginkgo` settings; its models live at DOP's
import path and app label (`provider.oauth2`, label `oauth2`, tables oauth2_*), so a
program written for a Ginkgo `manage.py lms shell` runs unchanged.
"""
