"""Reed–Solomon over GF(256) as QR symbols use it (ISO/IEC 18004: the polynomial 0x11D, generator
roots α⁰…α^(ec−1)): ``rs_encode`` appends check codewords, ``rs_correct`` corrects errors and
erasures (an erasure, a position known to be untrusted, costs one check codeword; an error at an
unknown position two), keeping ``spare`` check codewords unused if asked."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

EXP = [0] * 510
LOG = [0] * 256
_value = 1
for _power in range(255):
    EXP[_power] = EXP[_power + 255] = _value
    LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
del _value, _power


_MUL = [EXP[LOG[a] + LOG[b]] if a and b else 0 for a in range(256) for b in range(256)]


def _mul(a: int, b: int) -> int:
    return _MUL[(a << 8) | b]


def _inverse(a: int) -> int:
    return EXP[255 - LOG[a]]


def _eval(poly: list[int], x: int) -> int:
    """Value at ``x`` of a polynomial given lowest power first."""
    result = 0
    for coefficient in reversed(poly):
        result = _mul(result, x) ^ coefficient
    return result


def _times(p: list[int], q: list[int]) -> list[int]:
    out = [0] * (len(p) + len(q) - 1)
    table = _MUL
    for i, a in enumerate(p):
        if a:
            row = a << 8
            for j, b in enumerate(q):
                out[i + j] ^= table[row | b]
    return out


def _plus(p: list[int], q: list[int]) -> list[int]:
    if len(p) < len(q):
        p, q = q, p
    out = list(p)
    for i, b in enumerate(q):
        out[i] ^= b
    return out


@lru_cache(maxsize=64)
def _generator(ec_count: int) -> tuple[int, ...]:
    poly = [1]
    for i in range(ec_count):
        poly = _times(poly, [EXP[i], 1])  # (x + α^i), lowest power first
    return tuple(reversed(poly))  # highest power first, leading 1


def rs_encode(data: list[int], ec_count: int) -> list[int]:
    """``data`` followed by its ``ec_count`` error-correction codewords."""
    generator = _generator(ec_count)
    remainder = list(data) + [0] * ec_count
    for i in range(len(data)):
        factor = remainder[i]
        if factor:
            for j in range(1, ec_count + 1):
                remainder[i + j] ^= _mul(generator[j], factor)
    return list(data) + remainder[len(data):]


_EXP_ARRAY = np.array(EXP, np.int64)
_LOG_ARRAY = np.array(LOG, np.int64)


def _syndromes(block: np.ndarray, count: int) -> np.ndarray:
    """The block's values at α⁰ … α^(count-1) (codeword k is the coefficient of x^(n-1-k))."""
    nonzero = np.flatnonzero(block)
    if nonzero.size == 0:
        return np.zeros(count, np.int64)
    powers = (block.size - 1 - nonzero)[None, :] * np.arange(count)[:, None]
    terms = _EXP_ARRAY[(_LOG_ARRAY[block[nonzero]][None, :] + powers) % 255]
    return np.bitwise_xor.reduce(terms, axis=1)


def _roots(locator: list[int], n: int) -> list[int]:
    """Positions k whose location α^(n-1-k) has an inverse that is a root of ``locator``."""
    exponents = (255 - (n - 1 - np.arange(n))) % 255  # log of the inverse location
    value = np.zeros(n, np.int64)
    for power, coefficient in enumerate(locator):
        if coefficient:
            value ^= _EXP_ARRAY[(LOG[coefficient] + exponents * power) % 255]
    return np.flatnonzero(value == 0).tolist()


def rs_correct(block: list[int], ec_count: int, erasures: tuple[int, ...] = (), spare: int = 0) -> list[int] | None:
    """The corrected block (data then error-correction codewords), or ``None`` when it is beyond
    repair. ``erasures`` are positions whose values are not trusted: each costs one error-correction
    codeword, where an error at an unknown position costs two. ``spare`` error-correction codewords
    are kept unused: a correction that needs them is refused, which makes a wrong "correction" of
    a block with too many errors far less likely (each spare codeword divides the odds by ~256)."""
    n = len(block)
    received = np.asarray(block, np.int64)
    syndromes = _syndromes(received, ec_count).tolist()
    if not any(syndromes):
        return list(block)
    erasures = sorted(set(erasures))
    if len(erasures) > ec_count - spare:
        return None
    erasure_locator = [1]
    for position in erasures:
        erasure_locator = _times(erasure_locator, [1, EXP[n - 1 - position]])
    # Berlekamp–Massey, started from the erasure locator (errors-and-erasures decoding).
    locator = list(erasure_locator)
    previous = list(erasure_locator)
    length = len(erasures)
    table = _MUL
    for step in range(len(erasures), ec_count):
        delta = 0
        for i in range(min(len(locator), step + 1)):
            delta ^= table[(locator[i] << 8) | syndromes[step - i]]
        previous = [0] + previous
        if delta == 0:
            continue
        row = delta << 8
        updated = _plus(locator, [table[row | c] for c in previous])
        if 2 * length <= step + len(erasures):
            row = _inverse(delta) << 8
            previous = [table[row | c] for c in locator]
            length = step + 1 + len(erasures) - length
        locator = updated
    while len(locator) > 1 and locator[-1] == 0:
        locator.pop()
    degree = len(locator) - 1
    if degree != length or 2 * (degree - len(erasures)) + len(erasures) > ec_count - spare:
        return None
    positions = _roots(locator, n)
    if len(positions) != degree:
        return None
    # Forney: error values from the evaluator Ω = S·Λ mod x^ec (first root α⁰).
    evaluator = _times(syndromes, locator)[:ec_count]
    derivative = [locator[i] if i % 2 == 1 else 0 for i in range(1, len(locator))]
    corrected = received.copy()
    for position in positions:
        x = EXP[n - 1 - position]
        x_inverse = _inverse(x)
        denominator = _eval(derivative, x_inverse)
        if denominator == 0:
            return None
        corrected[position] ^= _mul(x, _mul(_eval(evaluator, x_inverse), _inverse(denominator)))
    if _syndromes(corrected, ec_count).any():
        return None
    return corrected.tolist()
