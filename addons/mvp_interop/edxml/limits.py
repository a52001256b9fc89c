"""How much of a packet the parser accepts before it refuses it.

The axis publishes no limits; these bound what one packet may cost the
receiver (memory, disk, time) and sit well above the documents of a
province: a packet carries a few signed PDFs of some megabytes each.
"""
import dataclasses

MiB = 2 ** 20


@dataclasses.dataclass(frozen=True)
class Limits:
    packet: int = 256 * MiB          # bytes of the packet as received
    attachment: int = 128 * MiB      # decoded bytes of one attachment
    attachments: int = 500           # attachments in one packet
    depth: int = 32                  # nesting of elements (edXML uses 8)
    elements: int = 50_000           # elements outside attachment contents
    text: int = 1_000_000            # characters of one header value
    header: int = 16 * MiB           # characters of all header values
    prolog: int = 64 * 1024          # bytes before the root element
    unzipped: int = 512 * MiB        # bytes out of one zipped attachment
    ratio: int = 200                 # unzipped bytes per zipped byte, past
    ratio_floor: int = 4 * MiB       # ... this many unzipped bytes
    members: int = 1_000             # files in one zipped attachment


LIMITS = Limits()
