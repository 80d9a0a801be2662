"""Reading the critical technology lists (``critical_technologies.yaml``) for the Promote
taxonomy, from a file or from the loaded ``critical_technologies`` dataset, with provenance.

The file is checked exactly as ``econsec data load critical_technologies`` checks it (schema,
stated counts, unique ids, crosswalk ids that name one of Japan's 20 areas); a problem is a
DataError naming the file, the YAML line and the field path.

:data:`SUPPLEMENT` is econsec's own crosswalk for the records the file leaves without one: the
K Program's example technologies (the file gives them no ``crosswalk_jp``) and the ten
technologies ASPI added in 2025. It is our judgement, read from the names only; the taxonomy
marks each of these links ``origin: econsec`` and users can change them like any other link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from econsec.datasets import policy
from econsec.datasets import policy_schemas as schema
from econsec.datasets.catalogue import file_checksum

DATASET = "critical_technologies"

#: Japan areas for records the file maps to none, by list and tech id (econsec's judgement).
#: A record listed here with ``()`` was judged to fit none of the 20 areas.
SUPPLEMENT: dict[tuple[str, str], tuple[str, ...]] = {
    # K Program, first R&D vision (2022-09-16): the seven example technologies of the file.
    ("k_program_vision_1", "unmanned_labour_saving_auv_technology"): ("marine", "robotics"),
    ("k_program_vision_1", "observation_of_the_sea_surface_to_seabed_using_advanced_sensing"): (
        "marine",
        "surveillance_pnt_sensors",
    ),
    (
        "k_program_vision_1",
        "satellite_communication_sensing_optical_comms_small_sat_constellations",
    ): ("space", "ict_network", "surveillance_pnt_sensors"),
    ("k_program_vision_1", "autonomous_distributed_control_of_small_drones"): ("robotics",),
    ("k_program_vision_1", "advanced_materials_for_aircraft_engines_cmc_etc"): (
        "advanced_materials",
        "transport",
    ),
    ("k_program_vision_1", "ai_security_disinformation_analysis"): ("ai_ml", "cybersecurity"),
    ("k_program_vision_1", "quantum_cryptography_sensing"): (
        "quantum",
        "cybersecurity",
        "surveillance_pnt_sensors",
    ),
    # ASPI's 2025 additions (the file lists them without a crosswalk).
    ("aspi_tracker", "cloud_and_edge_computing"): ("advanced_computing", "ict_network"),
    ("aspi_tracker", "digital_twins"): ("data_science", "advanced_engineering_manufacturing"),
    # The US CET list counts AR/VR among human-machine interfaces, which the file maps to bci.
    ("aspi_tracker", "extended_reality"): ("bci",),
    ("aspi_tracker", "computer_vision"): ("ai_ml",),
    ("aspi_tracker", "generative_ai"): ("ai_ml",),
    ("aspi_tracker", "brain_computer_interfaces"): ("bci",),
    ("aspi_tracker", "neuroprosthetics"): ("bci", "medical_public_health"),
    ("aspi_tracker", "precision_agriculture"): ("robotics", "data_science"),
    ("aspi_tracker", "grid_integration_technologies"): ("energy_storage",),
    ("aspi_tracker", "geoengineering"): (),  # no area of Japan's 20 covers climate engineering
}


@dataclass(frozen=True, slots=True)
class TechnologiesSource:
    """The validated file and where it came from (kept with every taxonomy built from it)."""

    document: schema.TechnologiesFile
    provenance: dict[str, Any]


def check(source: schema.Source) -> schema.TechnologiesFile:
    """The document of a parsed file, checked as the dataset loader checks it."""
    doc = schema.validate(source, schema.TechnologiesFile)
    areas = doc.japan_20_areas.areas
    policy.unique(
        source, ((("japan_20_areas", "areas", i, "id"), a.id) for i, a in enumerate(areas))
    )
    # The loader's own checks (counts as stated, one record per list and id, known areas).
    policy._check_technologies(source, doc, policy.technology_rows(doc))
    return doc


def read_technologies(path: Path) -> TechnologiesSource:
    """The lists of a ``critical_technologies.yaml`` file (DataError at the file's line)."""
    doc = check(schema.read_yaml(path))
    return TechnologiesSource(
        doc,
        {
            "file": str(path),
            "checksum": file_checksum(path),
            "as_of": doc.as_of,
        },
    )


def loaded_technologies(catalogue: Any) -> TechnologiesSource:
    """The lists of the loaded ``critical_technologies`` dataset (Conflict naming the command
    that loads it when it is not loaded)."""
    status = catalogue.dataset(DATASET)
    document = catalogue.document(DATASET)  # Conflict when not loaded
    version = max(status.versions, key=lambda v: v.number)
    doc = schema.TechnologiesFile.model_validate(document)
    return TechnologiesSource(
        doc,
        {
            "dataset": DATASET,
            "version": version.id,
            "file": version.source_name,
            "checksum": version.checksum,
            "loaded_at": version.loaded_at.isoformat(timespec="seconds"),
            "as_of": doc.as_of,
        },
    )


def technologies(catalogue: Any, path: Path | None = None) -> TechnologiesSource:
    """``path`` when given, else the loaded dataset (kept per state of the store)."""
    if path is not None:
        return read_technologies(path)
    found: TechnologiesSource = catalogue.memo(
        "promote.technologies", lambda: loaded_technologies(catalogue)
    )
    return found
