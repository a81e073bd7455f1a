"""A single-node Apache Kafka 4.x broker in KRaft mode, from Maven Central jars and the machine's Java."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from shared.stack import procs
from shared.stack.paths import StackPaths

READY_LINE = "Kafka Server started"
JVM_OPTS = [
    "-Xms256m",
    "-Xmx1g",
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
]


class KafkaStackError(RuntimeError):
    """The broker could not be fetched, formatted or started."""


@dataclass(frozen=True)
class KafkaBroker:
    """One broker instance: its folders and loopback ports."""

    paths: StackPaths
    port: int = 9092
    controller_port: int = 9093

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.paths.kafka_dir / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.paths.kafka_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.paths.logs / "kafka.log"

    def _log4j(self) -> list[str]:
        return [f"-Dlog4j2.configurationFile={self.paths.kafka_log4j}", f"-Dkafka.logs.dir={self.paths.logs}"]

    def _classpath(self) -> str:
        return str(self.paths.kafka_libs / "*")

    def fetch(self) -> None:
        """Resolve the broker jars from Maven Central once; later runs reuse the cache."""
        libs = self.paths.kafka_libs
        if libs.exists() and any(libs.glob("kafka_2.13-*.jar")):
            return
        if shutil.which("mvn") is None:
            raise KafkaStackError("需要 Maven (mvn) 来下载 Kafka：apt-get install maven")
        tmp = libs.with_name("libs.partial")
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(self.paths.kafka_pom),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={tmp}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise KafkaStackError(f"mvn failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        tmp.rename(libs)

    def write_config(self) -> None:
        """Write server.properties for a combined broker+controller bound to loopback."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        p, c = self.port, self.controller_port
        lines = [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{c}",
            f"listeners=PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={self.data_dir}",
            "num.partitions=1",
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "num.network.threads=2",
            "num.io.threads=2",
            "num.recovery.threads.per.data.dir=1",
            "log.segment.bytes=16777216",
            "log.retention.hours=168",
        ]
        self.config_file.write_text("\n".join(lines) + "\n")

    def format_storage(self) -> None:
        """Format the KRaft storage once; `--ignore-formatted` makes re-runs a no-op."""
        cluster_file = self.paths.kafka_dir / "cluster.id"
        base = ["java", "-Xmx256m", "-XX:TieredStopAtLevel=1", *self._log4j(), "-cp", self._classpath()]
        if not cluster_file.exists() or not cluster_file.read_text().strip():
            out = subprocess.run(
                [*base, "kafka.tools.StorageTool", "random-uuid"], capture_output=True, text=True, check=True
            )
            cluster_file.write_text(out.stdout.strip().splitlines()[-1])
        cmd = [
            *base,
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "--ignore-formatted",
            "-t",
            cluster_file.read_text().strip(),
            "-c",
            str(self.config_file),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise KafkaStackError(f"kafka storage format failed:\n{result.stdout}\n{result.stderr}")

    def running(self) -> bool:
        tracked = procs.read(self.paths.pids, "kafka")
        return tracked is not None and tracked.alive()

    def start(self, *, timeout_s: float = 120.0) -> float:
        """Start the broker unless running; wait for its readiness line. Returns seconds taken."""
        t0 = time.monotonic()
        if self.running():
            return 0.0
        if shutil.which("java") is None:
            raise KafkaStackError("需要 Java 17 来运行 Kafka：apt-get install openjdk-17-jre-headless")
        self.fetch()
        self.write_config()
        self.format_storage()
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        argv = [
            "java",
            *JVM_OPTS,
            *self._log4j(),
            "-cp",
            self._classpath(),
            "kafka.Kafka",
            str(self.config_file),
        ]
        tracked = procs.spawn(
            "kafka",
            argv,
            pids_dir=self.paths.pids,
            log_path=self.log_file,
            env=dict(os.environ),
            cwd=self.paths.root,
        )
        while time.monotonic() - t0 < timeout_s:
            with self.log_file.open("rb") as fh:
                fh.seek(offset)
                if READY_LINE.encode() in fh.read():
                    return time.monotonic() - t0
            if not tracked.alive():
                raise KafkaStackError(f"Kafka exited during start-up; see {self.log_file}")
            time.sleep(0.2)
        raise KafkaStackError(f"Kafka not ready after {timeout_s:.0f}s; see {self.log_file}")

    def stop(self) -> bool:
        """Controlled shutdown (SIGTERM), SIGKILL if it takes too long."""
        return procs.stop(self.paths.pids, "kafka", timeout_s=60)

    def kill(self) -> None:
        """SIGKILL the broker (fault tests)."""
        procs.kill(self.paths.pids, "kafka")

    def wipe(self) -> None:
        """Delete the broker's data (test isolation); the broker must be stopped."""
        shutil.rmtree(self.paths.kafka_dir, ignore_errors=True)
