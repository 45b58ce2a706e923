"""The settings as documented are the settings as coded: the README's table, .env.example."""

from __future__ import annotations

from pathlib import Path

import pytest

import taskhub
from taskhub.settings.docs import env_example, markdown_table

ROOT = Path(__file__).parents[2]


def test_the_readme_has_the_one_settings_table_the_code_makes() -> None:
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme
    assert readme.count("| variable | default | meaning |") == 1, "python -m taskhub.settings.docs"


def test_env_example_lists_every_setting_at_its_default() -> None:
    assert (ROOT / ".env.example").read_text() == env_example()


def test_a_dotenv_file_is_read_and_the_environment_wins_over_it(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("TASKHUB_BUS=inline\nTASKHUB_WORKER_THREADS=7\n")
    settings = taskhub.Settings.from_env({"TASKHUB_WORKER_THREADS": "2"}, env_file=dotenv)
    assert (settings.bus, settings.worker_threads) == ("inline", 2)


def test_a_variable_that_names_no_setting_is_refused_with_the_closest_one() -> None:
    with pytest.raises(ValueError, match=r"TASKHUB_BROKER_UR is .*did you mean TASKHUB_BROKER_URL"):
        taskhub.Settings.from_env({"TASKHUB_BROKER_UR": "redis://x"})


def test_a_broker_without_the_celery_bus_is_refused_as_a_deployment_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="TASKHUB_BROKER_URL is set but TASKHUB_BUS is 'thread'"):
        taskhub.Settings.from_env({"TASKHUB_BROKER_URL": "redis://redis:6379/0"})
    celery = taskhub.Settings.from_env(
        {"TASKHUB_BROKER_URL": "redis://redis:6379/0", "TASKHUB_BUS": "celery"}
    )
    assert celery.broker_url == "redis://redis:6379/0"


@pytest.mark.parametrize("value", ["inf", "nan", "1e400"])
def test_a_duration_that_is_not_a_finite_number_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="TASKHUB_LEASE_SECONDS"):
        taskhub.Settings.from_env({"TASKHUB_LEASE_SECONDS": value})


def test_a_refused_url_is_shown_without_its_password() -> None:
    with pytest.raises(ValueError, match="mysql://user:\\*\\*\\*@db/x") as refused:
        taskhub.Settings.from_env({"TASKHUB_DATABASE_URL": "mysql://user:s3cret@db/x"})
    assert "s3cret" not in str(refused.value)


def test_a_data_dir_may_be_given_as_a_path(tmp_path: Path) -> None:
    assert taskhub.Settings(data_dir=tmp_path).data_dir == str(tmp_path)


def test_an_empty_broker_url_is_no_broker_and_the_celery_bus_needs_one() -> None:
    assert taskhub.Settings.from_env({"TASKHUB_BROKER_URL": ""}).broker_url == ""
    with pytest.raises(ValueError, match="TASKHUB_BUS=celery needs a broker"):
        taskhub.Settings.from_env({"TASKHUB_BUS": "celery", "TASKHUB_BROKER_URL": ""})


def test_an_explicit_environment_reads_no_dotenv_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("TASKHUB_BUS=inline\n")
    monkeypatch.chdir(tmp_path)
    assert taskhub.Settings.from_env({}).bus == "thread"
    assert taskhub.Settings.from_env({}, env_file=".env").bus == "inline"


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("TASKHUB_IDEMPOTENCY_KEY_TTL", "1h", "must be at least 24h"),
        ("TASKHUB_PURGE_BATCH_SIZE", "100000000", "must be at most 10000"),
        ("TASKHUB_REDACT_AFTER", "900000d", "must be at most 36500d"),
        ("TASKHUB_PURGE_INTERVAL", "99999999999d", "must be at most 36500d"),
    ],
)
def test_a_retention_setting_out_of_bounds_is_refused_in_one_line(
    variable: str, value: str, said: str
) -> None:
    with pytest.raises(ValueError, match=f"^{variable} {said}"):
        taskhub.Settings.from_env({variable: value})
