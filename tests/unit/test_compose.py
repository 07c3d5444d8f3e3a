"""Static checks of the production stack: docker-compose.yml, Dockerfile and .env.example.

Docker cannot run here, so these tests read the files: which services exist, what reaches the
host, healthchecks and start order, no committed secrets, and that every command a container
runs names something that exists in this repository.
"""

from __future__ import annotations

import configparser
import importlib
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"

REQUIRED_SERVICES = {
    "postgres",
    "redis",
    "redis-cache",
    "minio",
    "minio-init",
    "migrate",
    "frontend",
    "backend",
    "crunchbase_api",
    "tracxn_api",
    "celery-worker",
    "celery-reports-worker",
    "celery-beat",
    "flower",
}
# Run once and exit; everything else is long-running and needs a healthcheck.
ONE_SHOT = {"minio-init", "migrate"}
# service -> (container ports, allowed host interfaces) of the only ports published on the host.
# The app's frontend and backend are reached only through the reverse proxy.
PUBLISHED = {
    "proxy": (("80", "443"), {"", "0.0.0.0"}),
    "minio": (("9001",), {"", "0.0.0.0", "127.0.0.1"}),  # the console; the S3 API stays internal
    "flower": (("5555",), {"127.0.0.1"}),
}
SECRET_KEY_RE = re.compile(r"PASSWORD|SECRET|KEY|TOKEN", re.IGNORECASE)
# A compose reference with no default, an error message, or an empty default: `${X}`,
# `${X:?msg}`, `${X?msg}`, `${X:-}`. A non-empty `:-` default would be a committed secret.
COMPOSE_REF_RE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?\?[^}]*)|:?-)?\}")
# `$$X` / `$${X}` is resolved by the container's shell from its own environment.
CONTAINER_REF_RE = re.compile(r"\$\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
URL_PASSWORD_RE = re.compile(r"://[^/@\s:]*:([^@/\s]+)@")


COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE.get("services", {})
BUILT = sorted(name for name, svc in SERVICES.items() if "build" in svc)


def command_args(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def published_ports(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(host interface, host port, container port) of every `ports` entry."""
    result = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            host_ip = str(entry.get("host_ip", ""))
            result.append((host_ip, str(entry.get("published", "")), str(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        if len(parts) == 1:  # "3000": a random host port
            result.append(("", "", parts[0]))
        elif len(parts) == 2:
            result.append(("", parts[0], parts[1]))
        else:
            result.append((parts[0], parts[1], parts[2]))
    return result


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def is_reference(value: str) -> bool:
    value = value.strip().strip("\"'")
    return bool(COMPOSE_REF_RE.fullmatch(value) or CONTAINER_REF_RE.fullmatch(value))


def walk(node: Any, path: str = ""):
    """Yield (path, key, value) for every mapping entry and every list item in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield path, None, value
            yield from walk(value, f"{path}[{index}]")


def env_example_entries() -> dict[str, str]:
    """`NAME=value` lines; a commented `# NAME=` also lists NAME (e.g. VAR_DIR, a path default)."""
    entries = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            entries[match.group(1)] = match.group(2).strip()
    return entries


# ---- services and ports ---------------------------------------------------------------------


def test_required_services_exist():
    missing = REQUIRED_SERVICES - set(SERVICES)
    assert not missing, missing


def test_only_the_proxy_flower_and_minio_console_are_published():
    publishing = {name for name, svc in SERVICES.items() if svc.get("ports")}
    assert publishing == set(PUBLISHED), f"services publishing ports: {sorted(publishing)}"
    for name, (wanted, interfaces) in PUBLISHED.items():
        ports = published_ports(SERVICES[name])
        assert len(ports) == len(wanted), f"{name} publishes {ports}"
        for (host_ip, host_port, container_port), port in zip(ports, wanted, strict=True):
            assert (host_port, container_port) == (port, port), f"{name}: {ports}"
            assert host_ip in interfaces, f"{name} must bind {interfaces}, not {host_ip!r}"


def test_the_reverse_proxy_fronts_the_app_with_tls_headers_and_websockets():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    for name in ("frontend", "backend"):
        assert not SERVICES[name].get("ports"), f"{name} is reached through the proxy only"
        assert proxy["depends_on"][name]["condition"] == "service_healthy"
    assert environment(SERVICES["backend"])["REFLEX_TRUSTED_PROXY_HOPS"] == "1"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$SITE_ADDRESS" in caddyfile  # automatic HTTPS for the configured host
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "frame-ancestors 'none'",
        "Strict-Transport-Security",
    ):
        assert header in caddyfile, header  # fmt: skip
    backend_paths = re.search(r"@backend path (.+)", caddyfile).group(1).split()
    assert {"/_event/*", "/_auth/*", "/_share/*", "/ping"} <= set(backend_paths)
    assert "reverse_proxy backend:8000" in caddyfile
    assert "reverse_proxy frontend:3000" in caddyfile


@pytest.mark.parametrize(
    "name",
    [
        "postgres",
        "redis",
        "redis-cache",
        "crunchbase_api",
        "tracxn_api",
        "celery-worker",
        "celery-reports-worker",
        "celery-beat",
    ],
)
def test_internal_services_publish_nothing(name):
    assert not SERVICES[name].get("ports"), f"{name} must not be reachable from the host"


def test_minio_api_is_not_published():
    assert all(port[2] != "9000" for port in published_ports(SERVICES["minio"]))


def test_data_services_are_on_an_internal_network_only():
    networks = COMPOSE.get("networks", {})
    internal = {name for name, cfg in networks.items() if (cfg or {}).get("internal")}
    assert internal, "no network with `internal: true`"
    for name, svc in SERVICES.items():
        attached = set(svc.get("networks", []))
        assert attached & internal, f"{name} is not on the internal network"
    for name in ("postgres", "redis", "redis-cache"):
        assert set(SERVICES[name]["networks"]) <= internal, f"{name} must not reach outside"


@pytest.mark.parametrize(("name", "port"), [("crunchbase_api", "8003"), ("tracxn_api", "8008")])
def test_scrapers_expose_their_port_and_the_app_uses_it(name, port):
    service = SERVICES[name]
    assert port in [str(p) for p in service.get("expose", [])]
    args = command_args(service)
    assert args[args.index("--port") + 1] == port
    assert args[args.index("--host") + 1] == "0.0.0.0"
    url_key = name.replace("_api", "").upper() + "_API_URL"
    for other in BUILT:
        assert environment(SERVICES[other])[url_key] == f"http://{name}:{port}"


def test_app_env_points_at_the_compose_services():
    for name in BUILT:
        env = environment(SERVICES[name])
        assert env["DATABASE_URL"].startswith("postgresql://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD[^}]*\}@redis:6379/\d+", env["REDIS_URL"])
        assert env["S3_ENDPOINT"] == "http://minio:9000", name


def test_redis_never_evicts_the_broker_or_sessions_and_only_the_cache_is_lru():
    """#12 item 12: queued runs, unacked tasks, sessions and state must not be evicted."""
    command = " ".join(command_args(SERVICES["redis"]))
    assert "--maxmemory-policy noeviction" in command, command
    assert "--appendonly yes" in command, command
    assert "--requirepass" in command, command
    cache = " ".join(command_args(SERVICES["redis-cache"]))
    assert "--maxmemory 256mb" in cache and "--maxmemory-policy allkeys-lru" in cache, cache
    assert "--requirepass" in cache, cache
    for name in BUILT:
        env = environment(SERVICES[name])
        assert env["REDIS_URL"].endswith("@redis:6379/0"), name
        assert env["CACHE_REDIS_URL"].endswith("@redis-cache:6379/0"), name


# ---- health and start order -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REQUIRED_SERVICES - ONE_SHOT))
def test_long_running_services_have_a_healthcheck(name):
    check = SERVICES[name].get("healthcheck") or {}
    assert not check.get("disable"), name
    test = check.get("test")
    assert test, f"{name} has no healthcheck test"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, test
    assert test != ["NONE"]


def test_every_dependency_waits_for_health_or_completion():
    for name, svc in SERVICES.items():
        depends = svc.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: list-form depends_on has no condition"
        for target, spec in depends.items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            condition = (spec or {}).get("condition")
            expected = "service_completed_successfully" if target in ONE_SHOT else "service_healthy"
            assert condition == expected, f"{name} -> {target}: {condition}"


def test_one_shot_services_do_not_restart():
    for name in ONE_SHOT:
        assert str(SERVICES[name].get("restart", "no")) == "no", name


# ---- secrets --------------------------------------------------------------------------------


def test_no_literal_secrets_in_compose():
    for path, key, value in walk(COMPOSE):
        if isinstance(key, str) and SECRET_KEY_RE.search(key) and not isinstance(value, dict):
            assert isinstance(value, str) and is_reference(value), f"{path}.{key} = {value!r}"
        if isinstance(value, str):
            for password in URL_PASSWORD_RE.findall(value):
                assert is_reference(password), f"{path}.{key}: password in URL {value!r}"
            if value.startswith("--basic-auth="):
                ref = COMPOSE_REF_RE.pattern
                assert re.fullmatch(f"{ref}:{ref}", value.split("=", 1)[1]), value


def test_no_secret_environment_in_list_form():
    # "KEY=value" items would dodge the mapping check above.
    for name, svc in SERVICES.items():
        assert not isinstance(svc.get("environment"), list), name


@pytest.mark.parametrize("name", ["redis", "redis-cache"])
def test_redis_password_comes_from_the_environment(name):
    args = command_args(SERVICES[name])
    script = " ".join(args)
    value = re.search(r"--requirepass\s+(\S+)", script).group(1)
    assert is_reference(value), value


# ---- commands name things that exist -----------------------------------------------------------


def celery_queue_names(module: str) -> set[str]:
    # The Celery app reads this test's isolated settings at import: forget the modules again so
    # later tests import it with their own settings.
    before = set(sys.modules)
    try:
        app = importlib.import_module(module).app
        return {queue.name for queue in app.conf.task_queues}
    finally:
        for name in set(sys.modules) - before:
            if name.split(".")[0] == module.split(".")[0]:
                del sys.modules[name]


@pytest.mark.parametrize("name", BUILT)
def test_command_entry_point_exists(name):
    args = command_args(SERVICES[name])
    assert args, f"{name} has no command"
    program = args[0]
    if program == "python" and args[1] == "-m":
        module = args[2]
        base = ROOT / module.replace(".", "/")
        exists = base.with_suffix(".py").is_file() or (base / "__main__.py").is_file()
        assert exists, f"{name}: no module {module}"
    elif program == "celery":
        module = args[args.index("-A") + 1]
        assert (ROOT / module.replace(".", "/")).with_suffix(".py").is_file(), module
        for flag in ("-Q", "--queues"):
            if flag in args:
                wanted = set(args[args.index(flag) + 1].split(","))
                missing = wanted - celery_queue_names(module)
                assert not missing, f"{name}: queues {missing} are not defined by {module}"
    elif program == "alembic":
        assert args[1:] == ["upgrade", "head"], args
        ini = configparser.ConfigParser(defaults={"here": str(ROOT)})
        assert ini.read(ROOT / "alembic.ini"), "alembic.ini is missing"
        location = ini["alembic"]["script_location"]
        assert (Path(location) / "env.py").is_file(), location
    elif program == "reflex":
        assert args[1] == "run", args
        assert (ROOT / "rxconfig.py").is_file()
    else:
        pytest.fail(f"{name}: unknown entry point {args}")


def test_every_queue_has_a_worker_and_reports_have_their_own():
    consumed: dict[str, set[str]] = {}
    for name, service in SERVICES.items():
        args = command_args(service)
        if args[:1] == ["celery"] and "worker" in args:
            consumed[name] = set(args[args.index("-Q") + 1].split(","))
    assert set().union(*consumed.values()) == celery_queue_names("tasks.celery_app")
    # Chat (ai) never waits behind report runs: no worker takes both.
    assert all(not {"ai", "reports"} <= queues for queues in consumed.values()), consumed


def test_reflex_is_split_into_frontend_and_backend():
    backend = command_args(SERVICES["backend"])
    frontend = command_args(SERVICES["frontend"])
    assert "--backend-only" in backend and backend[backend.index("--backend-port") + 1] == "8000"
    assert "--frontend-only" in frontend
    assert frontend[frontend.index("--frontend-port") + 1] == "3000"
    assert environment(SERVICES["frontend"])["REFLEX_API_URL"].startswith("${PUBLIC_BACKEND_URL")


# ---- image ------------------------------------------------------------------------------------


def test_built_services_use_the_dockerfile():
    assert DOCKERFILE.is_file()
    for name in BUILT:
        build = SERVICES[name]["build"]
        context, dockerfile = (
            (build, "Dockerfile")
            if isinstance(build, str)
            else (build.get("context", "."), build.get("dockerfile", "Dockerfile"))
        )
        assert (ROOT / context / dockerfile).resolve() == DOCKERFILE, name


def test_dockerfile_is_slim_unprivileged_and_secret_free():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert "requirements.txt" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}, "the image must run as a non-root user"
    # Secrets arrive at run time; no ENV/ARG may assign one.
    assigned = re.findall(r"\b\w*(?:PASSWORD|SECRET|TOKEN|API_KEY)\w*=", text)
    assert not assigned, assigned


# ---- .env.example -------------------------------------------------------------------------------


def test_env_example_lists_every_setting():
    from marketnav.settings import Settings

    listed = env_example_entries()
    missing = {field.upper() for field in Settings.model_fields} - set(listed)
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_lists_every_variable_compose_reads():
    # Values only (comments may show the syntax); `$${X}` is the container's, not compose's.
    strings = [v for _, _, v in walk(COMPOSE) if isinstance(v, str)]
    referenced = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", "\n".join(strings)))
    missing = referenced - set(env_example_entries())
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_holds_no_secret_values():
    for key, value in env_example_entries().items():
        if re.search(r"PASSWORD|SECRET|TOKEN|_KEY$|PROVIDERS", key):
            assert value == "", f"{key} must be empty in .env.example"
