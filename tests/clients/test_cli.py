"""fake-dataverse serve: options (--no-auth, --table, --seed, --url), errors, the entry point."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from fake_dataverse._cli import main

from .cli import cli_process

SENSOR = {
    "logical_name": "contoso_sensordata", "entity_set_name": "contoso_sensordatas",
    "primary_id_attribute": "contoso_sensordataid", "primary_name_attribute": "contoso_name",
    "messages": ["Create", "Retrieve", "RetrieveMultiple", "Update", "Delete"],
    "attributes": [
        {"logical_name": "contoso_sensordataid", "type": "Uniqueidentifier"},
        {"logical_name": "contoso_name", "type": "String", "max_length": 100},
    ],
}


@contextmanager
def serving(*options: str) -> Iterator[str]:
    """Serve with ``options``; yield the URL; on the way out, Ctrl+C must end it with status 0."""
    with cli_process("--quiet", *options) as (process, url):
        yield url
        process.send_signal(signal.SIGINT)
        assert 0 == process.wait(timeout=30)


def _created_id(url: str) -> str:
    reply = requests.post(f"{url}/api/data/v9.2/backgroundoperations", json={"name": "x"},
                          headers={"Authorization": "Bearer t"}, timeout=10)
    return reply.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


class TestServeOptions:
    def test_no_auth_and_table_files(self, tmp_path: Path) -> None:
        """--no-auth accepts requests without a token; --table serves a table of one's own."""
        single, listed = tmp_path / "sensor.json", tmp_path / "more.json"
        single.write_text(json.dumps(SENSOR))
        other = {**SENSOR, "logical_name": "contoso_probe", "entity_set_name": "contoso_probes",
                 "primary_id_attribute": "contoso_probeid",
                 "attributes": [{"logical_name": "contoso_probeid", "type": "Uniqueidentifier"},
                                {"logical_name": "contoso_name", "type": "String"}]}
        listed.write_text(json.dumps([other]))
        with serving("--no-auth", "--table", str(single), str(listed)) as url:
            api = f"{url}/api/data/v9.2"
            created = requests.post(f"{api}/contoso_sensordatas", json={"contoso_name": "p1"},
                                    timeout=10)
            assert 204 == created.status_code
            page = requests.get(f"{api}/contoso_sensordatas?$select=contoso_name", timeout=10)
            assert ["p1"] == [row["contoso_name"] for row in page.json()["value"]]
            assert 200 == requests.get(f"{api}/contoso_probes", timeout=10).status_code

    def test_auth_required_by_default(self) -> None:
        with serving() as url:
            reply = requests.get(f"{url}/api/data/v9.2/backgroundoperations", timeout=10)
            assert 401 == reply.status_code

    def test_same_seed_same_ids(self) -> None:
        """--seed makes the ids repeatable from one run to the next."""
        with serving("--seed", "42") as url:
            first = _created_id(url)
        with serving("--seed", "42") as url:
            again = _created_id(url)
        with serving("--seed", "43") as url:
            other = _created_id(url)
        assert first == again != other

    def test_organization_url(self) -> None:
        """--url names the organization; answers are still written on the server's URL."""
        with serving("--url", "https://fabrikam.crm4.dynamics.com") as url:
            assert "https://fabrikam.crm4.dynamics.com" == requests.get(
                f"{url}/_fake/", timeout=10).json()["url"]
            assert _created_id(url)


class TestServeErrors:
    def test_unreadable_table_file(self, tmp_path: Path) -> None:
        """A table file that is not JSON stops the command with a message naming the file."""
        broken = tmp_path / "broken.json"
        broken.write_text("{not json")
        done = subprocess.run([sys.executable, "-m", "fake_dataverse", "serve", "--table",
                               str(broken)], capture_output=True, text=True, timeout=60,
                              check=False)
        assert 0 != done.returncode
        assert str(broken) in done.stderr

    def test_invalid_table_description(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"logical_name": "x"}))
        done = subprocess.run([sys.executable, "-m", "fake_dataverse", "serve", "--table",
                               str(bad)], capture_output=True, text=True, timeout=60,
                              check=False)
        assert 0 != done.returncode
        assert "fake-dataverse:" in done.stderr and "entity_set_name" in done.stderr

    def test_port_in_use(self) -> None:
        """A port another server holds is an error naming it, not a traceback."""
        with serving() as url:
            port = url.rsplit(":", 1)[1]
            done = subprocess.run([sys.executable, "-m", "fake_dataverse", "serve", "--port",
                                   port], capture_output=True, text=True, timeout=60,
                                  check=False)
        assert 0 != done.returncode
        assert f"cannot listen on 127.0.0.1:{port}" in done.stderr

    def test_command_is_required(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`fake-dataverse` without a command prints usage and exits 2 (argparse)."""
        with pytest.raises(SystemExit) as stop:
            main([])
        assert 2 == stop.value.code
        assert "serve" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    """`fake-dataverse` is a console script of the installed package, pointing at main()."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="fake-dataverse")
    assert main is script.load()
