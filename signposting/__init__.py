"""The service directory on Open Referral UK 3.0 (issue 4)."""
