"""Group-sequential efficacy boundaries by alpha spending (Lan & DeMets, Biometrika 1983;70:659).

The z-statistics at the looks, Z_k = B(t_k)/√t_k for a Brownian motion B on the information fraction
t (Jennison & Turnbull, *Group Sequential Methods with Applications to Clinical Trials*, 2000, §11 and
§19), cross an efficacy boundary c_k with probability, under H0, equal to the alpha the spending
function allots to look k: α(t_k) − α(t_{k−1}). The probabilities are computed by the recursive
numerical integration of Armitage, McPherson & Rowe (J R Stat Soc A 1969;132:235) on a fine grid
(composite Simpson), and each c_k is found by root finding.

Spending functions (as R's rpact ``getDesignGroupSequential`` names them):

- ``asOF``, O'Brien–Fleming type: α(t) = 2 − 2 Φ(Φ⁻¹(1 − α/2) / √t) one-sided (two-sided: this at α/2 on
  each side);
- ``asP``, Pocock type: α(t) = α · ln(1 + (e − 1) t).

``sided = 1``: one-sided α, upper boundaries. ``sided = 2``: two-sided α with symmetric boundaries
(reject at look k when |Z_k| ≥ c_k). The tests compare the boundaries with rpact 3.3.4 to 1e-6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from components.i18n import N_

SPENDING = {"asOF": N_("O'Brien–Fleming type"), "asP": N_("Pocock type")}
_LOWEST = -10.0  # the one-sided continuation region's lower end (density below 1e-22 beyond)
_STEP = 0.01  # grid step of the integration (Simpson): boundaries to about 1e-8


def alpha_spent(t: float, alpha: float, kind: str, sided: int = 1) -> float:
    """The cumulative alpha spent at information fraction ``t`` (0 < t ≤ 1), both sides together for a
    two-sided design. O'Brien–Fleming type is applied to each side at α/2 (as rpact and gsDesign do):
    2 · (2 − 2 Φ(Φ⁻¹(1 − α/4) / √t)) for a two-sided α."""
    t = min(max(float(t), 0.0), 1.0)
    if t == 0:
        return 0.0
    if kind == "asOF":
        side = alpha / sided
        return float(sided * (2 - 2 * stats.norm.cdf(stats.norm.ppf(1 - side / 2) / math.sqrt(t))))
    if kind == "asP":
        return float(alpha * math.log(1 + (math.e - 1) * t))
    raise ValueError(f"unknown spending function {kind!r} (asOF, asP)")


@dataclass(frozen=True)
class Boundaries:
    """Efficacy boundaries of a group-sequential design."""

    information_rates: tuple[float, ...]
    critical_values: tuple[float, ...]  # z at each look (two-sided: reject when |Z| ≥ c)
    alpha_spent: tuple[float, ...]  # cumulative
    alpha: float
    sided: int
    kind: str

    @property
    def nominal_p(self) -> tuple[float, ...]:
        """The nominal p-value each boundary corresponds to (two-sided for a two-sided design)."""
        return tuple(float(self.sided * stats.norm.sf(c)) for c in self.critical_values)


def _simpson(n: int) -> np.ndarray:
    w = np.ones(n)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return w / 3.0


def _grid(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    m = max(int(math.ceil((hi - lo) / _STEP / 2)), 8)
    z = np.linspace(lo, hi, 2 * m + 1)
    return z, _simpson(len(z)) * (z[1] - z[0])


def _crossing(c: float, weight: np.ndarray, mean: np.ndarray, scale: float, tk: float, sided: int) -> float:
    """P(continue to the previous look, then |Z_k| ≥ c (two-sided) or Z_k ≥ c) under H0."""
    up = stats.norm.sf((c * math.sqrt(tk) - mean) / scale)
    if sided == 2:
        up = up + stats.norm.cdf((-c * math.sqrt(tk) - mean) / scale)
    return float(np.sum(weight * up))


def _excess(c: float, weight: np.ndarray, mean: np.ndarray, scale: float, tk: float, sided: int,
            target: float) -> float:
    return _crossing(c, weight, mean, scale, tk, sided) - target


def boundaries(information_rates: tuple[float, ...] | list[float], alpha: float = 0.025, sided: int = 1,
               kind: str = "asOF") -> Boundaries:
    """Efficacy boundaries at the given information fractions (increasing, the last usually 1)."""
    t = [float(x) for x in information_rates]
    if not t or any(b <= a for a, b in zip(t, t[1:], strict=False)) or t[0] <= 0 or t[-1] > 1:
        raise ValueError("information rates must increase within (0, 1]")
    if sided not in (1, 2):
        raise ValueError("sided must be 1 or 2")
    spent = [alpha_spent(x, alpha, kind, sided) for x in t]
    crit: list[float] = []
    z = w = dens = None  # the continuation region's grid, weights and sub-density of Z at the last look
    prev_t = 0.0
    for k, tk in enumerate(t):
        target = spent[k] - (spent[k - 1] if k else 0.0)
        if k == 0:
            c = float(stats.norm.isf(target / sided))
        else:
            scale = math.sqrt(tk - prev_t)
            mean = z * math.sqrt(prev_t)  # B(t_{k-1}) on the grid

            weight = w * dens  # the continuation sub-density at the previous look, times the grid's weights
            c = float(optimize.brentq(_excess, 0.0, 20.0, args=(weight, mean, scale, tk, sided, target), xtol=1e-12))
        crit.append(c)
        lo = -c if sided == 2 else _LOWEST
        znew, wnew = _grid(lo, c)
        if k == 0:
            dens = stats.norm.pdf(znew)
        else:
            # density of Z_k = B(t_k)/√t_k on the continuation region: the previous density carried forward
            scale = math.sqrt(tk - prev_t)
            kern = stats.norm.pdf((znew[:, None] * math.sqrt(tk) - z[None, :] * math.sqrt(prev_t)) / scale)
            dens = (kern * (w * dens)[None, :]).sum(axis=1) * math.sqrt(tk) / scale
        z, w, prev_t = znew, wnew, tk
    return Boundaries(tuple(t), tuple(crit), tuple(spent), alpha, sided, kind)
