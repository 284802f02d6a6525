"""A TensorBoard event-file writer in pure Python (no TensorFlow, no protobuf package).

An event file is a sequence of TFRecords: ``uint64 length, uint32 masked_crc32c(length),
bytes data, uint32 masked_crc32c(data)``, little-endian, where ``data`` is a serialized
``tensorflow.Event`` protobuf. The few fields used here are encoded by hand:

    Event:   1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary
    Summary: 1 value (repeated Value)
    Value:   1 tag (string), 2 simple_value (float)
"""

import os
import socket
import struct
import time

_CRC_TABLE = []


def _crc_table():
    if not _CRC_TABLE:
        poly = 0x82F63B78   # CRC-32C (Castagnoli), reflected
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ poly if c & 1 else c >> 1
            _CRC_TABLE.append(c)
    return _CRC_TABLE


def crc32c(data):
    table = _crc_table()
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field, wire):
    return _varint((field << 3) | wire)


def _bytes_field(field, data):
    return _key(field, 2) + _varint(len(data)) + data


def encode_event(wall_time, step=0, file_version=None, scalars=None):
    """A serialized Event with either a file_version or a summary of scalar values."""
    out = _key(1, 1) + struct.pack("<d", wall_time)
    if step:
        out += _key(2, 0) + _varint(step)
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if scalars:
        summary = b""
        for tag, value in scalars.items():
            v = _bytes_field(1, tag.encode()) + _key(2, 5) + struct.pack("<f", float(value))
            summary += _bytes_field(1, v)
        out += _bytes_field(5, summary)
    return out


def frame_record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + \
        struct.pack("<I", masked_crc32c(data))


class EventFileWriter:
    """Appends scalar summaries to ``<logdir>/events.out.tfevents.<time>.<host>``."""

    def __init__(self, logdir):
        os.makedirs(logdir, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}"
        self.path = os.path.join(logdir, name)
        self._f = open(self.path, "ab")
        self._write(encode_event(time.time(), file_version="brain.Event:2"))

    def _write(self, data):
        self._f.write(frame_record(data))
        self._f.flush()

    def add_scalars(self, scalars, step):
        self._write(encode_event(time.time(), step=int(step), scalars=scalars))

    def close(self):
        if not self._f.closed:
            self._f.close()
