"""The six report types: labels, steps with weights (the predecessor's tables), ETA defaults.

Step keys, names and weights follow PREDECESSOR.md 4.2-4.7. Social uses short keys for its ten
analysis categories (the predecessor used the titles as keys) and Pitch deck runs the steps the
predecessor declared but never used. Default durations exist for every real step key (the
predecessor's defaults missed most of them, so its ETA fell back to 30 s per step).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepSpec:
    key: str
    name: str
    weight: int
    default_seconds: float
    description: str = ""


@dataclass(frozen=True)
class ReportTypeSpec:
    key: str
    label: str
    icon: str
    description: str
    title: str
    steps: tuple[StepSpec, ...]
    # Report types whose completed data this one reads.
    needs_all: tuple[str, ...] = ()
    needs_any: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def step(self, key: str) -> StepSpec:
        for spec in self.steps:
            if spec.key == key:
                return spec
        raise KeyError(f"{self.key} has no step {key!r}")

    @property
    def step_keys(self) -> list[str]:
        return [s.key for s in self.steps]


SOCIAL_CATEGORIES: tuple[tuple[str, str, int], ...] = (
    ("segmentation", "Market Segmentation & Needs Analysis", 7),
    ("jtbd", "Jobs To Be Done (JTBD) Mapping", 7),
    ("pain_points", "Pain Points & Friction", 7),
    ("feature_demand", "Feature & Product Demand Signals", 7),
    ("willingness_to_pay", "Willingness to Pay (WTP) & Pricing", 7),
    ("competition", "Competitive Landscape & Alternatives", 7),
    ("adoption_triggers", "Adoption Triggers & Conversion Moments", 7),
    ("user_roles", "User Roles & Organizational Context", 6),
    ("use_cases", "Use Cases & Application Scenarios", 6),
    ("sentiment", "Sentiment & Brand Perception", 6),
)

VERDICT_AXES: tuple[tuple[str, str, int], ...] = (
    ("demand", "Demand", 25),
    ("competition", "Competition", 20),
    ("differentiation", "Differentiation", 20),
    ("economics", "Economics", 20),
    ("feasibility", "Feasibility", 15),
)

PITCH_SLIDES: tuple[str, ...] = (
    "Title",
    "Problem",
    "Solution",
    "Market Opportunity",
    "Business Model",
    "Competitive Landscape",
    "Traction",
    "Team",
    "Financial Projections",
    "Ask",
)

REPORT_TYPES: dict[str, ReportTypeSpec] = {
    spec.key: spec
    for spec in (
        ReportTypeSpec(
            key="quick_report",
            label="Quick Report",
            icon="zap",
            description="AI-powered market research report",
            title="Quick Market Research Report",
            steps=(
                StepSpec("web_search", "Searching the Web", 5, 20),
                StepSpec("init", "Preparing Request", 5, 3),
                StepSpec("api_search", "AI Analysis", 75, 45),
                StepSpec("save", "Saving Report", 15, 5),
            ),
        ),
        ReportTypeSpec(
            key="crunchbase",
            label="Crunchbase Analysis",
            icon="search",
            description="Competitor intelligence and funding data",
            title="Crunchbase Analysis Report",
            sources=("crunchbase",),
            steps=(
                StepSpec("init", "Generating Keywords", 2, 5),
                StepSpec("web_search", "Searching the Web", 3, 20),
                StepSpec("api_search", "Searching Crunchbase", 8, 60),
                StepSpec("sorting", "Ranking Results", 2, 5),
                StepSpec("fetching_details", "Fetching Company Details", 4, 10),
                StepSpec("company_deep_dive", "Company Deep Dives", 52, 120),
                StepSpec("strategic_summary", "Strategic Summary", 15, 30),
                StepSpec("fast_analysis", "Fast Analysis", 10, 20),
                StepSpec("html_gen", "Generating Report", 2, 5),
                StepSpec("save", "Saving Report", 2, 5),
            ),
        ),
        ReportTypeSpec(
            key="tracxn",
            label="Tracxn Insights",
            icon="bar-chart-3",
            description="Startup landscape and market trends",
            title="Tracxn Market Report",
            sources=("tracxn",),
            steps=(
                StepSpec("init", "Generating Keywords", 3, 5),
                StepSpec("web_search", "Searching the Web", 3, 20),
                StepSpec("api_search", "Searching Tracxn", 10, 180),
                StepSpec("sorting", "Ranking Results", 2, 10),
                StepSpec("fetching_details", "Gathering Company Data", 5, 30),
                StepSpec("company_deep_dive", "Company Deep Dives", 42, 300),
                StepSpec("executive_summary", "Executive Summary", 15, 45),
                StepSpec("flash_analysis", "Flash Analysis", 15, 30),
                StepSpec("html_gen", "Generating Report", 2, 10),
                StepSpec("save", "Saving Report", 3, 5),
            ),
        ),
        ReportTypeSpec(
            key="social",
            label="Social Analysis",
            icon="smartphone",
            description="Brand mentions and social sentiment",
            title="Social Media Analysis Report",
            sources=("social",),
            steps=(
                StepSpec("init", "Generating Social Keywords", 5, 5),
                StepSpec("api_search", "Searching Social Posts", 20, 30),
                *(StepSpec(key, name, weight, 20) for key, name, weight in SOCIAL_CATEGORIES),
                StepSpec("cross_cutting", "Cross-Cutting Insights", 5, 20),
                StepSpec("save", "Saving Report", 3, 5),
            ),
        ),
        ReportTypeSpec(
            key="verdict",
            label="Verdict Analysis",
            icon="scale",
            description="GO / ITERATE / PARK viability assessment",
            title="Verdict Analysis Report",
            needs_any=("crunchbase", "tracxn", "social"),
            steps=(
                StepSpec("init", "Loading Data", 5, 5),
                StepSpec("data_audit", "Data Classification", 10, 15),
                StepSpec("executive_synthesis", "Executive Synthesis", 10, 30),
                *(
                    StepSpec(f"scoring_{key}", f"Scoring: {name}", 10, 25)
                    for key, name, _ in VERDICT_AXES
                ),
                StepSpec("risk_synthesis", "Risk Synthesis (FMEA)", 8, 30),
                StepSpec("verdict_decision", "Verdict Decision", 5, 15),
                StepSpec("roadmap", "Actionable Roadmap", 5, 20),
                StepSpec("html_gen", "Generating Report", 3, 5),
                StepSpec("save", "Saving Report", 4, 5),
            ),
        ),
        ReportTypeSpec(
            key="pitch_deck",
            label="Pitch Deck",
            icon="presentation",
            description="Auto-generated investor pitch deck",
            title="Pitch Deck Report",
            needs_all=("crunchbase", "tracxn"),
            steps=(
                StepSpec("init", "Preparing", 10, 3),
                StepSpec("gather_data", "Gathering Market Data", 15, 5),
                StepSpec("ai_generation", "Writing Slides", 45, 40),
                StepSpec("html_gen", "Rendering Slides", 20, 10),
                StepSpec("save", "Saving Deck", 10, 5),
            ),
        ),
    )
}

REPORT_ORDER: tuple[str, ...] = tuple(REPORT_TYPES)


def spec_for(report_type: str) -> ReportTypeSpec:
    """The spec of a report type, or ValueError for an unknown one."""
    try:
        return REPORT_TYPES[report_type]
    except KeyError:
        raise ValueError(f"Unknown report type {report_type!r}.") from None


def viewer_url(project_id: int, report_type: str, version: int = 0, anchor: str = "") -> str:
    """The report viewer's URL: the latest version, or `version`, optionally at an anchor."""
    url = f"/projects/{project_id}/reports/{report_type}"
    if version:
        url += f"?version={version}"
    return url + (f"#{anchor}" if anchor else "")
