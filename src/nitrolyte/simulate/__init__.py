"""Ion transport from simulation: ML-potential MD, kinisi analysis, Dask campaigns.

``trajectory`` reads and streams frames; ``diffusion`` turns a trajectory into tracer and
collective D, Nernst-Einstein σ and the Haven ratio (kinisi); ``md`` runs NVT MD through ASE;
``pipeline`` goes from a library structure to an Arrhenius fit stored as MD measurements;
``campaign`` runs many of them on Dask (``campaign_fit`` combines their temperatures into one
Arrhenius fit); simulated results are marked beside experiments by
:mod:`nitrolyte.provenance`. Heavy dependencies are imported inside the functions.
"""

from nitrolyte.simulate.campaign import (
                                         CampaignReport,
                                         campaign_arrhenius,
                                         campaign_status,
                                         run_campaign,
)
from nitrolyte.simulate.diffusion import DiffusionResult, analyze_diffusion
from nitrolyte.simulate.md import MDRun, run_md
from nitrolyte.simulate.pipeline import MDSettings, TransportSimulation, simulate_transport
from nitrolyte.simulate.potentials import POTENTIALS, register_potential
from nitrolyte.simulate.trajectory import FORMATS, read_frames, register_format

__all__ = ["FORMATS", "POTENTIALS", "CampaignReport", "DiffusionResult", "MDRun", "MDSettings",
           "TransportSimulation", "analyze_diffusion", "campaign_arrhenius", "campaign_status", "read_frames",
           "register_format", "register_potential", "run_campaign", "run_md",
           "simulate_transport"]
