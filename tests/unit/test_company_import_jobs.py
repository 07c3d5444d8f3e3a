"""Import jobs: upload, preview, start, execute in batches, cancel, service down, access, delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketnav.db import session_scope
from marketnav.models import CompanyImport, OrganizationDataDeletion
from marketnav.services import organizations
from marketnav.services.company_import import deletion, jobs
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.market_data import MarketDataError
from marketnav.services.permissions import Role
from marketnav.services.storage import get_storage
from marketnav.settings import get_settings
from scraper_services.common.contracts import ImportBatchResponse, OrganizationDataResponse
from tests.factories import add_member, make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


class FakeServices:
    """Both services in memory: records batches; `down` services raise like the real client."""

    def __init__(self, down: set[str] | None = None, on_batch=None):
        self.down = down or set()
        self.batches: dict[str, list] = {"crunchbase": [], "tracxn": []}
        self.deleted: list[tuple[str, int]] = []
        self.on_batch = on_batch

    def __call__(self):
        return self

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def import_batch(self, service, batch):
        if service in self.down:
            raise MarketDataError(f"{service} service unreachable: connection refused")
        self.batches[service].append(batch)
        if self.on_batch:
            self.on_batch(service, batch)
        count = sum(len(b.companies) for b in self.batches[service])
        n = len(batch.companies)
        return ImportBatchResponse(received=n, created=n, merged=0, searchable=count)

    async def delete_organization_companies(self, service, organization_id):
        if service in self.down:
            raise MarketDataError(f"{service} service unreachable")
        self.deleted.append((service, organization_id))
        return OrganizationDataResponse(organization_id=organization_id, companies=0, deleted=3)


@pytest.fixture
def team(db):
    owner = make_user(db, "Olga Owner")
    org = organizations.create(db, owner, "Freight Co")
    db.commit()
    admin, member = make_user(db, "Adam Admin"), make_user(db, "Mia Member")
    add_member(db, owner, org.id, admin, Role.ADMIN)
    add_member(db, owner, org.id, member, Role.MEMBER)
    return db, org.id, owner, admin, member


def _upload(db, user, org_id, name="crunchbase.csv", data=None):
    job = jobs.upload(db, user, org_id, name, data or (FIXTURES / name).read_bytes())
    db.commit()
    return job


def test_upload_keeps_the_file_and_previews(team):
    db, org_id, _, admin, _ = team
    job = _upload(db, admin, org_id)
    assert job.status == "draft" and job.layout == "crunchbase"
    assert job.storage_key == f"organizations/{org_id}/imports/{job.id}/crunchbase.csv"
    assert get_storage().get(job.storage_key) == (FIXTURES / "crunchbase.csv").read_bytes()
    preview = jobs.preview(db, admin, job.id)
    assert preview.layout_label == "Crunchbase export"
    assert [r["name"] for r in preview.rows] == ["Shippeo", "Sennder", "Zürich Freight AG"]
    assert preview.rows[0]["funding"] == "$110,000,000"
    assert [(e.line, e.reason) for e in preview.errors] == [
        (4, "bad founded year 'sometime soon'"),
        (6, "missing company name"),
    ]


def test_generic_mapping_is_edited_before_start(team):
    db, org_id, _, admin, _ = team
    job = _upload(db, admin, org_id, "generic.csv")
    assert job.layout == "generic"
    mapping = dict(job.mapping, description="What they do", founded_year="Since")
    jobs.configure(db, admin, job.id, "generic", mapping)
    db.commit()
    preview = jobs.preview(db, admin, job.id)
    assert preview.rows[0]["founded"] == "2013" and preview.rows[0]["description"]
    with pytest.raises(ValidationFailed, match="Unknown field or column"):
        jobs.configure(db, admin, job.id, "generic", {"name": "Nope"})
    jobs.configure(db, admin, job.id, "generic", {"website": "Homepage"})
    db.commit()
    with pytest.raises(ValidationFailed, match="company name"):
        jobs.start(db, admin, job.id)


def test_only_owners_and_admins_import(team):
    db, org_id, owner, admin, member = team
    outsider = make_user(db, "Otto Outsider")
    job = _upload(db, owner, org_id)
    with pytest.raises(PermissionDenied, match="does not allow"):
        _upload(db, member, org_id)
    with pytest.raises(PermissionDenied, match="does not allow"):
        jobs.preview(db, member, job.id)
    with pytest.raises(PermissionDenied, match="does not exist"):
        jobs.get(db, outsider, job.id)
    with pytest.raises(PermissionDenied, match="does not exist"):
        jobs.list_imports(db, outsider, org_id)
    assert org_id in [o.id for o in jobs.importable_organizations(db, admin)]
    assert org_id not in [o.id for o in jobs.importable_organizations(db, member)]


def test_size_limit(team, monkeypatch):
    db, org_id, _, admin, _ = team
    monkeypatch.setenv("IMPORT_MAX_BYTES", "1024")
    get_settings.cache_clear()
    with pytest.raises(
        ValidationFailed, match=r"The file is 2\.0 KB; imports take at most 1\.0 KB"
    ):
        _upload(db, admin, org_id, "big.csv", b"Organization Name\n" + b"x" * 2000)


def _started(db, admin, org_id, name="tracxn.csv", data=None) -> int:
    job = _upload(db, admin, org_id, name, data)
    jobs.start(db, admin, job.id)
    db.commit()
    return job.id


def _many_rows(count: int) -> bytes:
    lines = ["Organization Name,Website,Description"]
    lines += [f"Company {i},c{i}.example,Freight software number {i}" for i in range(count)]
    lines.insert(3, "Unnamed,,")  # a duplicate-free valid row
    lines.insert(5, ",nobody.example,no name")  # line 6: an error
    return ("\n".join(lines) + "\n").encode()


def test_execute_sends_batches_to_both_services_with_progress(team, monkeypatch):
    db, org_id, _, admin, _ = team
    monkeypatch.setenv("IMPORT_BATCH_SIZE", "200")
    get_settings.cache_clear()
    import_id = _started(db, admin, org_id, "many.csv", _many_rows(450))
    services = FakeServices()
    seen: list[float] = []
    job = jobs.execute(
        import_id, client_factory=services, on_progress=lambda j: seen.append(j.progress)
    )
    assert job.status == "completed", job.message
    assert (job.total_rows, job.valid_rows, job.error_count) == (452, 451, 1)
    assert job.errors == [{"line": 6, "reason": "missing company name", "name": ""}]
    assert [len(b.companies) for b in services.batches["crunchbase"]] == [200, 200, 51]
    assert [len(b.companies) for b in services.batches["tracxn"]] == [200, 200, 51]
    batch = services.batches["tracxn"][0]
    assert batch.organization_id == org_id and batch.import_id == f"import-{import_id}"
    assert job.sent_count == job.created_count == 451 and job.progress == 1.0
    assert [round(p, 2) for p in seen if p > 0] == [0.44, 0.89, 1.0, 1.0]
    assert "searchable" in job.message


def test_duplicates_in_a_file_are_merged_before_sending(team):
    db, org_id, _, admin, _ = team
    import_id = _started(db, admin, org_id, "tracxn.csv")
    services = FakeServices()
    job = jobs.execute(import_id, client_factory=services)
    names = [c.name for c in services.batches["crunchbase"][0].companies]
    assert names == ["project44", "FourKites"]
    assert (job.valid_rows, job.merged_count, job.to_send, job.error_count) == (3, 1, 2, 1)


def test_cancel_between_batches(team, monkeypatch):
    db, org_id, _, admin, _ = team
    monkeypatch.setenv("IMPORT_BATCH_SIZE", "100")
    get_settings.cache_clear()
    import_id = _started(db, admin, org_id, "many.csv", _many_rows(450))

    def cancel_after_first(service, batch):
        if service == "tracxn":
            with session_scope() as session:
                user = session.merge(admin)
                jobs.cancel(session, user, import_id)

    services = FakeServices(on_batch=cancel_after_first)
    job = jobs.execute(import_id, client_factory=services)
    assert job.status == "cancelled"
    assert len(services.batches["crunchbase"]) == 1 and job.sent_count == 100
    assert "Cancelled after 100 of 451" in job.message


def test_cancel_before_start_and_a_second_run_does_nothing(team):
    db, org_id, _, admin, _ = team
    import_id = _started(db, admin, org_id)
    jobs.cancel(db, admin, import_id)
    db.commit()
    services = FakeServices()
    assert jobs.execute(import_id, client_factory=services).status == "cancelled"
    assert services.batches["crunchbase"] == []
    with pytest.raises(ValidationFailed, match="already cancelled"):
        jobs.cancel(db, admin, import_id)


def test_a_service_down_fails_the_import_with_a_clear_message(team):
    db, org_id, _, admin, _ = team
    import_id = _started(db, admin, org_id)
    job = jobs.execute(import_id, client_factory=FakeServices(down={"tracxn"}))
    assert job.status == "failed"
    assert "tracxn: tracxn service unreachable" in job.message
    assert "0 of 2 were imported" in job.message and "start the import again" in job.message


def test_listing_shows_started_imports_only(team):
    db, org_id, _, admin, _ = team
    _upload(db, admin, org_id)  # a draft
    import_id = _started(db, admin, org_id)
    jobs.execute(import_id, client_factory=FakeServices())
    rows = jobs.list_imports(db, admin, org_id)
    assert [r.id for r in rows] == [import_id]
    summary = jobs.summary(rows[0])
    assert summary["status"] == "completed" and summary["sent"] == 2


@pytest.mark.asyncio
async def test_deleting_an_organisation_deletes_its_companies_and_never_loses_the_delete(team):
    db, org_id, owner, admin, _ = team
    job_id = _upload(db, admin, org_id).id
    with pytest.raises(PermissionDenied, match="does not allow"):
        organizations.delete(db, admin, org_id)
    organizations.delete(db, owner, org_id)
    db.commit()
    with session_scope() as session:
        assert session.get(CompanyImport, job_id) is None
    assert get_storage().list(f"organizations/{org_id}/") == []
    down = FakeServices(down={"crunchbase"})
    left = await deletion.purge(org_id, client_factory=down)
    assert set(left[org_id]) == {"crunchbase"} and down.deleted == [("tracxn", org_id)]
    with session_scope() as session:
        (row,) = deletion.pending(session, org_id)
        assert row.pending == ["crunchbase"] and row.attempts == 1
    back = FakeServices()
    assert await deletion.purge(client_factory=back) == {}
    assert back.deleted == [("crunchbase", org_id)]
    with session_scope() as session:
        assert deletion.pending(session) == []
        assert session.get(OrganizationDataDeletion, row.id).completed_at is not None


def test_personal_workspace_cannot_be_deleted(team):
    db, _, owner, _, _ = team
    personal = organizations.list_for_user(db, owner)[0][0]
    assert personal.is_personal
    with pytest.raises(ValidationFailed, match="personal workspace"):
        organizations.delete(db, owner, personal.id)
