"""Checks a TensorBoard event file without mdenas's C++ code.

Usage: check_event_file.py EVENT_FILE            framing and CRCs
       check_event_file.py --tensorboard EVENT_FILE

The first form checks every record's framing and masked CRC-32Cs with
python3-crc32c and prints "records: N". The second loads the file with
TensorBoard's own EventAccumulator and prints what TensorBoard sees, one line
per value. Exits 1, saying why, if the file is broken.
"""

import struct
import sys


def masked_crc32c(data):
    import crc32c

    crc = crc32c.crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def check_records(path):
    with open(path, "rb") as f:
        data = f.read()
    offset = index = 0
    while offset < len(data):
        where = f"record {index} at byte {offset}"
        if len(data) - offset < 12:
            sys.exit(f"{where}: truncated header")
        length, length_crc = struct.unpack_from("<QI", data, offset)
        if length_crc != masked_crc32c(data[offset : offset + 8]):
            sys.exit(f"{where}: length CRC mismatch")
        end = offset + 12 + length
        if end + 4 > len(data):
            sys.exit(f"{where}: truncated data")
        (data_crc,) = struct.unpack_from("<I", data, end)
        if data_crc != masked_crc32c(data[offset + 12 : end]):
            sys.exit(f"{where}: data CRC mismatch")
        offset = end + 4
        index += 1
    print(f"records: {index}")


def print_tensorboard_view(path):
    from tensorboard.backend.event_processing import event_accumulator

    # 0 keeps every value; the defaults sample some kinds down to a few.
    keep_all = {kind: 0 for kind in event_accumulator.DEFAULT_SIZE_GUIDANCE}
    accumulator = event_accumulator.EventAccumulator(path, size_guidance=keep_all)
    accumulator.Reload()
    print(f"file_version {accumulator.file_version}")
    print(f"first_event_time {accumulator.FirstEventTimestamp()!r}")
    tags = accumulator.Tags()
    for tag in tags["scalars"]:
        for e in accumulator.Scalars(tag):
            print(f"scalar {tag} {e.step} {e.wall_time!r} {e.value!r}")
    for tag in tags["histograms"]:
        for e in accumulator.Histograms(tag):
            h = e.histogram_value
            print(
                f"histogram {tag} {e.step} {e.wall_time!r} min={h.min!r} max={h.max!r}"
                f" num={h.num!r} sum={h.sum!r} sum_squares={h.sum_squares!r}"
                f" bucket_limit={list(h.bucket_limit)!r} bucket={list(h.bucket)!r}"
            )
    for tag in tags["images"]:
        for e in accumulator.Images(tag):
            print(
                f"image {tag} {e.step} {e.wall_time!r} {e.width}x{e.height}"
                f" {len(e.encoded_image_string)} bytes"
            )


def main(argv):
    if len(argv) == 2:
        check_records(argv[1])
    elif len(argv) == 3 and argv[1] == "--tensorboard":
        print_tensorboard_view(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
