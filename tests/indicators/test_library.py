"""The indicator library: sound definitions, ISTAT alignment, versions that follow the definition."""

from __future__ import annotations

import dataclasses

import pytest

from welfare_district.errors import NotFoundError
from welfare_district.indicators.filters import All, AnyOf, Between, Cmp, Count, Field, In, IsNull, Not, describe
from welfare_district.indicators.library import (
    IVSM_COMPONENTS,
    check_definition,
    default_library,
    get_indicator,
    isee_below,
)


def test_every_definition_is_sound_and_ids_are_unique() -> None:
    lib = default_library()
    for ind in lib.values():
        assert check_definition(ind) == [], ind.id
        assert ind.name_it and ind.name_en and ind.description_it and ind.description_en
    assert len({i.version for i in lib.values()}) == len(lib)


def test_the_seven_ivsm_components_follow_istat() -> None:
    lib = default_library()
    assert all(c in lib for c in IVSM_COMPONENTS) and len(IVSM_COMPONENTS) == 7
    codes = {lib[c].istat_code for c in IVSM_COMPONENTS}
    assert codes >= {"V5", "V6", "V7", "V8", "V9"}
    for c in IVSM_COMPONENTS:
        assert lib[c].polarity == 1 and lib[c].kind == "proportion" and lib[c].multiplier == 100
    assert lib["ivsm_low_education"].denominator.where == Between("age", 25, 64)
    assert lib["ivsm_low_education_6plus"].denominator.where == Between("age", 6, 200)
    over = lib["ivsm_overcrowding"]
    assert over.numerator.measure == "occupants" and over.unit == "dwelling"


def test_version_changes_with_the_definition_not_with_the_wording() -> None:
    ind = default_library()["ivsm_large_families"]
    renamed = dataclasses.replace(ind, name_en="Big families", description_it="altro")
    assert renamed.version == ind.version
    stricter = dataclasses.replace(ind, numerator=Count("family", Cmp("size", ">=", 7)))
    assert stricter.version != ind.version
    assert len(ind.version) == 12 and default_library()["ivsm_large_families"].version == ind.version


def test_isee_thresholds_are_configurable() -> None:
    lib = default_library(isee_thresholds=(12000,))
    assert "isee_below_12000" in lib and "isee_below_9360" not in lib
    assert isee_below(12000).numerator.where == Cmp("isee_eur", "<=", 12000)


def test_check_definition_reports_unknown_columns() -> None:
    ind = dataclasses.replace(default_library()["share_75plus"], numerator=Count("person", Cmp("income", ">", 1)),
                              polarity=2)
    problems = check_definition(ind)
    assert any("income" in p for p in problems) and any("polarity" in p for p in problems)


def test_unknown_indicator_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="ivsm_large_families"):
        get_indicator("nope")


def test_describe_renders_every_filter_kind() -> None:
    f = All((Cmp("opened", "<=", Field("reference_date")), AnyOf((IsNull("closed"), Not(In("need", ("a", "b"))))),
             Between("age", 1, 2)))
    assert describe(f) == ("opened <= reference_date and (closed is null or not need in {'a', 'b'}) and "
                           "age between 1 and 2")
