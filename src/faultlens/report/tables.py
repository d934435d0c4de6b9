"""The report's tables: pure polars LazyFrame builders over the per-run rows (runs.parquet).

Each builder takes the rows and returns one table as a LazyFrame; only `scan` touches a file.
"""

from __future__ import annotations

import polars as pl

SCHEMA = {
    "run": pl.Utf8, "path": pl.Utf8, "kb_version": pl.Utf8, "host": pl.Utf8, "station": pl.Utf8,
    "started_at": pl.Utf8, "finished_at": pl.Utf8, "release": pl.Utf8, "result": pl.Utf8, "status": pl.Utf8,
    "rank": pl.Int64, "cause": pl.Utf8, "confidence": pl.Float64, "evidence_source": pl.Utf8,
    "evidence_line": pl.Int64, "evidence_text": pl.Utf8, "signature": pl.List(pl.Utf8),
    "signature_templates": pl.List(pl.Utf8), "error": pl.Utf8, "problems": pl.List(pl.Utf8),
    "explanation": pl.Utf8,  # the run's `explain --format json` document, on its first row
}
FAILING = ("explained", "unexplained")
NO_RELEASE = "(no release)"  # a run whose release is not known, in every table, chart and text
UNEXPLAINED = "(unexplained)"  # the "cause" of an unexplained failure where failures are shared out


def frame(rows: list[dict]) -> pl.DataFrame:
    """The rows as a typed frame; times parsed (naive UTC)."""
    df = pl.DataFrame([{k: row.get(k) for k in SCHEMA} for row in rows], schema=SCHEMA)
    return df.with_columns(pl.col("started_at").str.to_datetime(strict=False),
                           pl.col("finished_at").str.to_datetime(strict=False))


def scan(path: str) -> pl.LazyFrame:
    return pl.scan_parquet(path)


def totals(lf: pl.LazyFrame) -> pl.LazyFrame:
    runs = lf.unique("run")
    return runs.select(
        pl.len().alias("runs"),
        pl.col("status").is_in(FAILING).sum().alias("failing"),
        (pl.col("status") == "explained").sum().alias("explained"),
        (pl.col("status") == "unexplained").sum().alias("unexplained"),
        (pl.col("status") == "pass").sum().alias("passed"),
        (pl.col("status") == "error").sum().alias("errors"),
    )


def top_causes(lf: pl.LazyFrame) -> pl.LazyFrame:
    """One row per explained run: its top cause."""
    return lf.filter((pl.col("status") == "explained") & (pl.col("rank") == 1))


def by_cause(lf: pl.LazyFrame) -> pl.LazyFrame:
    failing = lf.filter(pl.col("status").is_in(FAILING)).select(pl.col("run").n_unique()).collect().item()
    return (top_causes(lf)
            .group_by("cause")
            .agg(pl.len().alias("runs"), pl.col("host").drop_nulls().n_unique().alias("hosts"),
                 pl.col("started_at").min().alias("first_seen"), pl.col("started_at").max().alias("last_seen"))
            .with_columns((pl.col("runs") / max(failing, 1)).round(3).alias("share"))
            .sort(["runs", "cause"], descending=[True, False]))


def failing(lf: pl.LazyFrame) -> pl.LazyFrame:
    """One row per failing run: its top cause ("(unexplained)" when none), with the fields a
    reader sorts and filters on and the line that shows why. Grouped by cause, oldest first."""
    return (lf.filter(pl.col("status").is_in(FAILING) & ((pl.col("rank") == 1) | pl.col("rank").is_null()))
            .select("run", "station", "host", "started_at",
                    pl.col("release").fill_null(NO_RELEASE),
                    pl.col("cause").fill_null(UNEXPLAINED), "confidence", "evidence_source", "evidence_line",
                    pl.coalesce("evidence_text", pl.col("signature").list.first()).alias("evidence_text"))
            .sort(["cause", "started_at", "run"], nulls_last=True))


def shares(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Failing runs per top cause over ALL failures: unexplained ones are a line of their own."""
    return (failing(lf).group_by("cause").agg(pl.len().alias("runs"))
            .sort([pl.col("cause") == UNEXPLAINED, "runs", "cause"], descending=[False, True, False]))


def by_release(lf: pl.LazyFrame) -> pl.LazyFrame:
    return (top_causes(lf).with_columns(pl.col("release").fill_null(NO_RELEASE))
            .group_by(["release", "cause"]).agg(pl.len().alias("runs"))
            .sort(["runs", "release", "cause"], descending=[True, False, False]))


def release_correlation(lf: pl.LazyFrame) -> pl.LazyFrame:
    """For each cause, its most frequent release, when that release first appeared on the floor,
    and how many of the cause's failures came before and after."""
    appeared = (lf.filter(pl.col("release").is_not_null() & pl.col("started_at").is_not_null())
                .group_by("release").agg(pl.col("started_at").min().alias("release_first_seen")))
    main = (top_causes(lf).with_columns(pl.col("release").fill_null(NO_RELEASE))
            .group_by(["cause", "release"]).agg(pl.len().alias("n"))
            .sort(["cause", "n", pl.col("release") == NO_RELEASE, "release"], descending=[False, True, False, False])
            .group_by("cause", maintain_order=True).first().select("cause", "release"))
    night_start = lf.select(pl.col("started_at").min().alias("night_start"))
    return (top_causes(lf).with_columns(pl.col("release").fill_null(NO_RELEASE))
            .join(main.rename({"release": "main_release"}), on="cause")
            .join(appeared, left_on="main_release", right_on="release", how="left")
            .group_by(["cause", "main_release", "release_first_seen"])
            .agg((pl.col("started_at") >= pl.col("release_first_seen")).sum().alias("after"),
                 (pl.col("started_at") < pl.col("release_first_seen")).sum().alias("before"),
                 (pl.col("release") == pl.col("main_release")).sum().alias("on_release"),
                 pl.len().alias("runs"))
            .join(night_start, how="cross")
            .with_columns((pl.col("release_first_seen") > pl.col("night_start")).fill_null(False).alias("release_is_new"))
            .drop("night_start")
            .rename({"main_release": "release"})
            .sort(["runs", "cause"], descending=[True, False]))


def by_place(lf: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """Failing runs per host (or station) and cause; unexplained runs count as their own line."""
    return (lf.filter(pl.col("status").is_in(FAILING) & ((pl.col("rank") == 1) | pl.col("rank").is_null())
                      & pl.col(column).is_not_null())
            .with_columns(pl.col("cause").fill_null(UNEXPLAINED))
            .group_by([column, "cause"]).agg(pl.len().alias("runs"))
            .sort([column, "runs", "cause"], descending=[False, True, False]))


def over_time(lf: pl.LazyFrame, every: str = "1h") -> pl.LazyFrame:
    """Failing runs per hour they started and top cause, unexplained ones included."""
    return (failing(lf).filter(pl.col("started_at").is_not_null())
            .with_columns(pl.col("started_at").dt.truncate(every).alias("bucket"))
            .group_by(["bucket", "cause"]).agg(pl.len().alias("runs")).sort(["bucket", "cause"]))


def clusters(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Unexplained runs grouped by the templates of their error lines, biggest first."""
    return (lf.filter(pl.col("status") == "unexplained")
            .select("run", "signature", "signature_templates")
            .explode(["signature", "signature_templates"])
            .filter(pl.col("signature_templates").is_not_null())
            .group_by("signature_templates")
            .agg(pl.col("run").unique().sort().alias("runs"), pl.col("signature").first().alias("example"))
            .with_columns(pl.col("runs").list.len().alias("count"))
            .rename({"signature_templates": "template"})
            .sort(["count", "template"], descending=[True, False]))


def errors(lf: pl.LazyFrame) -> pl.LazyFrame:
    return lf.filter(pl.col("status") == "error").select("run", "error").sort("run")


def problems(lf: pl.LazyFrame) -> pl.LazyFrame:
    """What was wrong with a run's metadata (run.yaml), one row per problem; the run was read."""
    return (lf.filter(pl.col("problems").list.len() > 0).unique("run").select("run", "problems")
            .explode("problems").rename({"problems": "problem"}).sort("run", maintain_order=True))
