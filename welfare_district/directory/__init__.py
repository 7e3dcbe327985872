"""The service directory: an Open Referral HSDS 3.0 catalogue, eligibility rules, matching and referrals.

Modules: ``hsds_spec`` (the tables and fields), ``model`` (their SQL tables), ``hsds_validate`` /
``hsds_json`` / ``hsds_csv`` (import and export), ``catalogo`` (the synthetic Padova extract), ``store``
(atomic loads and reads), ``eligibility`` and ``requisites`` (machine-readable rules), ``profile`` and
``matching`` (the desk), ``referrals`` and ``referral_figures``, ``revisions`` (partner self-service).
"""
