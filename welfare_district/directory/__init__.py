"""The service directory: an Open Referral HSDS 3.0 catalogue, eligibility rules, matching and referrals.

Modules: ``hsds_spec`` (the tables and fields), ``model`` (their SQL tables), ``hsds_validate`` /
``hsds_json`` / ``hsds_csv`` (import and export), ``catalogo`` (the municipal extract), ``store`` and
``transfer`` (atomic loads, reads, formats), ``index`` and ``search`` (the public catalogue in memory),
``eligibility`` and ``requisites`` (machine-readable rules), ``profile``, ``matching`` and ``desk``
(matching at the desk), ``referrals`` and ``referral_figures``, ``revisions`` (partner self-service),
``permissions`` (the policy checks with refusals audited).
"""
