// kafkajs ships only gzip; this registers Snappy (pure JS, reads Java/librdkafka framing too), so
// kafkajs clients can read what the rdkafka transport writes. Imported for its side effect.
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';

const { CompressionCodecs, CompressionTypes } = kafkajs;
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
