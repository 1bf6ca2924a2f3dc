import numpy as np

from forecast.search import candidate_specs, choose_differencing, search_sarimax


def test_a_stationary_series_gets_no_difference_and_a_mean():
    rng = np.random.default_rng(11)
    noise = rng.normal(10, 1, 60)

    assert choose_differencing(noise) == 0
    specs = candidate_specs(0, (0, 0, 0, 0), ((1, 0), (0, 1)))
    assert [(s.order, s.drift) for s in specs] == [((1, 0, 0), True), ((0, 0, 1), True)]


def test_a_drifting_walk_gets_one_difference_with_and_without_drift():
    rng = np.random.default_rng(12)
    walk = np.cumsum(rng.normal(0.3, 1, 80))

    assert choose_differencing(walk) == 1
    specs = candidate_specs(1, (0, 0, 0, 0), ((0, 1),))
    assert [(s.order, s.drift) for s in specs] == [
        ((0, 1, 1), False),
        ((0, 1, 1), True),
    ]


def test_both_differences_leave_out_the_drift():
    specs = candidate_specs(1, (0, 1, 1, 12), ((0, 1), (1, 0)))

    assert [s.label() for s in specs] == [
        "SARIMAX(0,1,1)(0,1,1,12)",
        "SARIMAX(1,1,0)(0,1,1,12)",
    ]


def test_search_picks_the_ar_order_of_an_ar_process():
    # An AR(1) with coefficient 0.8 around 50: the (1,0) order should win on AICc
    # over MA(1) and white noise, and the mean is estimated.
    rng = np.random.default_rng(13)
    z = np.empty(200)
    z[0] = 50.0
    for t in range(1, 200):
        z[t] = 50 + 0.8 * (z[t - 1] - 50) + rng.normal(0, 1)

    best = search_sarimax(z, arma_orders=((0, 1), (1, 0), (0, 0)))

    assert best.spec.label() == "SARIMAX(1,0,0) with mean"
