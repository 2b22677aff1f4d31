"""Writes a TRL preference dataset (conversational, explicit prompt) from Parley's feedback topic,
for fine-tuning pipelines that live in Python: Confluent's own consumer and Avro deserializer
against the schema registry, no Parley code.

It reads the topic from the beginning up to the end offsets it finds at the start (a snapshot),
keeps the latest record per key and drops keys whose latest value is a tombstone (chat deleted, user
erased or opted out of training), then pairs each thumbs-up answer with each thumbs-down answer to
the same prompt, by the rules of connectors/dataset/preferencePairs.ts (docs/dataset.md), so its
output is byte for byte `npm run dataset -- export --format trl-preference` without filters.

usage: feedback_to_trl.py --bootstrap HOST:PORT --registry URL --out FILE.jsonl
                          [--topic parley.feedback] [--timeout SECONDS]
Exit 0: written; 1: a record could not be read (the file is written without it) or the topic could
not be read within the timeout (nothing written); every reason goes to stderr.
"""
import argparse
import datetime
import json
import os
import sys
import tempfile
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True, help="Confluent-compatible schema registry URL")
    parser.add_argument("--topic", default="parley.feedback")
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to read the snapshot in")
    args = parser.parse_args()

    live, unreadable, read = read_snapshot(args.bootstrap, args.registry, args.topic, args.timeout)
    lines = [json.dumps(example, ensure_ascii=False, separators=(",", ":")) for example in trl_pairs(live)]
    write_atomically(args.out, lines)
    print(f"{args.topic}: {read} records read, {len(live)} live, {len(unreadable)} unreadable; "
          f"{len(lines)} pairs -> {args.out}", file=sys.stderr)
    for problem in unreadable:
        print(f"unreadable: {problem}", file=sys.stderr)
    return 1 if unreadable else 0


def read_snapshot(bootstrap: str, registry_url: str, topic: str, timeout: float):
    """Latest value per key, tombstoned keys removed; every network wait bounded by the deadline."""
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url, "timeout": 10}))
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"parley-feedback-to-trl-{uuid.uuid4()}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "socket.timeout.ms": 10000,
    })
    deadline = time.monotonic() + timeout
    entries: dict = {}  # key -> record dict, or ("unreadable", reason)
    read = 0
    try:
        partitions = wait_for_partitions(consumer, topic, deadline)
        ends = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                ends[p] = high
        # Plain assignment, no group membership: nothing to join, rebalance or leave.
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        remaining = dict(ends)
        while remaining:
            if time.monotonic() > deadline:
                raise TimeoutError(f"read {read} records of {topic} within {timeout} s; partitions "
                                   f"{sorted(remaining)} not read to their end offsets {remaining}")
            msg = consumer.poll(0.5)
            if msg is not None:
                if msg.error():
                    raise RuntimeError(str(msg.error()))
                if msg.offset() < ends[msg.partition()]:
                    read += 1
                    apply(entries, msg, deserialize, topic)
            # The position, not the last message, says when a partition is done: it also moves
            # past records that are not messages (transaction markers).
            for tp in consumer.position([TopicPartition(topic, p) for p in remaining]):
                if tp.offset >= remaining[tp.partition]:
                    del remaining[tp.partition]
    finally:
        consumer.close()
    live = [v for v in entries.values() if isinstance(v, dict)]
    unreadable = [v[1] for v in entries.values() if isinstance(v, tuple)]
    return live, unreadable, read


def apply(entries: dict, msg, deserialize, topic: str) -> None:
    key = msg.key().decode() if msg.key() is not None else None
    where = f"partition {msg.partition()} offset {msg.offset()} key {key}"
    if msg.value() is None:  # a tombstone
        entries.pop(key, None)
        return
    if key is None:
        entries[where] = ("unreadable", f"{where}: no key")
        return
    try:
        record = deserialize(msg.value(), SerializationContext(topic, MessageField.VALUE))
    except Exception as error:  # the record is at fault: keep its reason until a later record replaces it
        entries[key] = ("unreadable", f"{where}: {error}")
        return
    if not isinstance(record, dict) or str(record.get("message_id")) != key:
        entries[key] = ("unreadable", f"{where}: not a FeedbackRecord of this key")
        return
    entries[key] = record


def millis(value) -> int:
    """rated_at is timestamp-millis: the deserializer gives a datetime (or, for older ones, an int)."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    return int(value)


def export_order(record: dict):
    return (millis(record["rated_at"]), str(record["message_id"]))


def trl_pairs(live: list) -> list:
    """Each thumbs-up x thumbs-down answer to one prompt, from each answer's own latest record."""
    prompts: dict = {}
    for record in sorted(live, key=export_order):
        sides = prompts.setdefault(str(record["prompt_message_id"]), {"THUMBS_UP": [], "THUMBS_DOWN": []})
        sides[record["rating"]].append(record)
    pairs = [(up, down) for sides in prompts.values() for up in sides["THUMBS_UP"] for down in sides["THUMBS_DOWN"]]
    pairs.sort(key=lambda pair: (export_order(pair[0]), export_order(pair[1])))
    return [
        {
            "prompt": [{"role": t["role"], "content": t["content"]} for t in (up.get("context") or [])]
            + [{"role": "user", "content": up["prompt"]}],
            "chosen": [{"role": "assistant", "content": up["answer"]}],
            "rejected": [{"role": "assistant", "content": down["answer"]}],
        }
        for up, down in pairs
    ]


def write_atomically(path: str, lines: list) -> None:
    """Readers see the old file or the whole new one: a temporary file beside it, then a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(line + "\n" for line in lines)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def wait_for_partitions(consumer: Consumer, topic: str, deadline: float) -> list:
    """A topic created a moment ago may not have partitions with leaders in the metadata yet."""
    while True:
        metadata = consumer.list_topics(topic, timeout=5).topics.get(topic)
        partitions = metadata.partitions if metadata is not None and metadata.error is None else {}
        if partitions and all(p.leader >= 0 for p in partitions.values()):
            return sorted(partitions)
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topic} has no partitions with leaders in the metadata")
        time.sleep(0.2)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (TimeoutError, RuntimeError) as failure:
        print(f"error: {failure}", file=sys.stderr)
        sys.exit(1)
