"""OSV advisories for PyPI written to the published schema, for the tests
and the benches: one advisory, a package entry, a zip as OSV publishes
all.zip, and a malicious-packages database of the kind OSV's MAL- entries
make (most malicious in every version, a few in named versions only)."""
import json
import zipfile


def advisory(id, modified, affected, aliases=(), withdrawn=None, summary=None, severity=None):
    doc = {"schema_version": "1.6.0", "id": id, "modified": modified, "published": "2026-03-24T11:15:00Z",
           "aliases": list(aliases), "summary": summary or f"{id} summary", "affected": affected}
    if withdrawn:
        doc["withdrawn"] = withdrawn
    if severity:
        doc["database_specific"] = {"severity": severity}
    return doc


def pypi(name, versions=(), ranges=()):
    entry = {"package": {"ecosystem": "PyPI", "name": name}}
    if versions:
        entry["versions"] = list(versions)
    if ranges:
        entry["ranges"] = [{"type": "ECOSYSTEM", "events": list(r)} for r in ranges]
    return entry


def write_zip(path, docs):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for d in docs:
            z.writestr(d["id"] + ".json", json.dumps(d))


def mal_database(whole=10_000, versioned=50):
    """`whole` typosquats malicious in every version (a range opened at 0,
    never closed, and the versions seen, as OSV writes them) and `versioned`
    projects with good versions and one bad one (mal-pkg-N 1.0)."""
    docs = [advisory(f"MAL-2026-{10_000 + i}", "2026-05-01T00:00:00Z",
                     [pypi(f"typo-squat-{i}", versions=["0.0.1"], ranges=[[{"introduced": "0"}]])])
            for i in range(whole)]
    docs += [advisory(f"MAL-2026-{30_000 + i}", "2026-05-01T00:00:00Z", [pypi(f"mal-pkg-{i}", versions=["1.0"])])
             for i in range(versioned)]
    return docs
