"""Licence ids: SPDX expressions through license-expression, and the Hugging Face Hub's ids."""

from __future__ import annotations

import pytest

from modelcard.interop.licenses import HUB_LICENSES, hub_license, license_ref, slug, spdx_expression


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Apache-2.0", "Apache-2.0"),
        ("apache-2.0", "Apache-2.0"),
        ("Apache 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("MIT License", "MIT"),
        ("CC BY 4.0", "CC-BY-4.0"),
        ("mit or apache-2.0", "MIT OR Apache-2.0"),
        ("apache-2.0 with llvm-exception", "Apache-2.0 WITH LLVM-exception"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("(MIT OR Apache-2.0) AND LicenseRef-x", "(MIT OR Apache-2.0) AND LicenseRef-x"),
        ("LicenseRef-Proprietary", "LicenseRef-Proprietary"),
        ("proprietary", None),
        ("openrail", None),
        ("MIT OR", None),
        ("((", None),
        ("", None),
        ("x" * 600, None),
    ],
)
def test_spdx_expressions(text, expected):
    assert spdx_expression(text) == expected


def test_every_hub_id_is_its_own_hub_licence():
    for hub_id in HUB_LICENSES:
        assert hub_license(hub_id).license == hub_id
        assert hub_license(hub_id.upper()).license == hub_id


def test_spdx_ids_map_to_the_hub_ids_of_the_same_licence():
    assert hub_license("BSD-3-Clause").license == "bsd-3-clause"
    assert hub_license("AGPL-3.0-only").license == "agpl-3.0"
    assert hub_license("LGPL-2.1-or-later").license == "lgpl-2.1"
    assert hub_license("CC0-1.0").license == "cc0-1.0"


def test_other_licences_get_a_name_and_a_link_when_one_is_known():
    h = hub_license("EUPL-1.2")
    assert (h.license, h.name, h.link) == ("other", "eupl-1.2", "https://spdx.org/licenses/EUPL-1.2.html")
    h = hub_license("LicenseRef-Acme Licence 2", url="https://acme.test/l")
    assert (h.license, h.name, h.link) == ("other", "acme-licence-2", "https://acme.test/l")
    h = hub_license("My own terms")
    assert (h.license, h.name, h.link) == ("other", "my-own-terms", None)


def test_names_and_refs_are_well_formed():
    assert slug("LicenseRef-Some/Thing!") == "some-thing"
    assert slug("***") == "unnamed" and len(slug("a" * 500)) == 100
    assert license_ref("Some Thing") == "LicenseRef-Some-Thing"
    assert license_ref("LicenseRef-x") == "LicenseRef-x"
