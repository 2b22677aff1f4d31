"""Reads a Parley topic with Confluent's own Python client and Avro deserializer (not our code),
printing one JSON object per record: proof that third-party consumers can read the contracts.

usage: confluent_avro_consume.py <bootstrap> <registry-url> <topic> <max-records> [timeout-seconds]
"""
import json
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main() -> int:
    bootstrap, registry_url, topic, max_records = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
    # Every network wait is bounded, so a stalled broker or registry fails the run with a reason
    # on stderr instead of hanging its caller.
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url, "timeout": 10}))
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"interop-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "socket.timeout.ms": 10000,
    })
    deadline = time.monotonic() + timeout
    # Plain assignment, no consumer group: nothing to join or leave, so nothing to wait for.
    partitions = wait_for_partitions(consumer, topic, deadline)
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    seen = 0
    try:
        while seen < max_records and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise RuntimeError(str(msg.error()))
            value = deserialize(msg.value(), SerializationContext(topic, MessageField.VALUE))
            headers = {k: v.decode() for k, v in (msg.headers() or [])}
            print(json.dumps({"key": msg.key().decode(), "headers": headers, "value": value}, default=str), flush=True)
            seen += 1
    finally:
        consumer.close()
    if seen < max_records:
        print(f"read {seen} of {max_records} records from {topic} within {timeout} s", file=sys.stderr)
        return 1
    return 0


def wait_for_partitions(consumer: Consumer, topic: str, deadline: float) -> list[int]:
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
    sys.exit(main())
