"""The retrain recipe's parts: judging a challenger, weighing site labels, the time split."""

import numpy as np
import pytest

from model import retrain


@pytest.mark.parametrize(("margin", "better"), [(0.2, True), (0.1, False)])
def test_judge_promotes_unless_worse_by_more_than_the_margin(margin, better):
    truth = np.array([0, 0, 1, 1])
    champion = np.array([0.1, 0.2, 0.8, 0.9])  # PR-AUC 1.0
    challenger = np.array([0.1, 0.85, 0.8, 0.9])  # a ham above a spam: PR-AUC 0.833

    verdict = retrain.judge(truth, (champion, 0.5), (challenger, 0.5), margin)

    assert verdict.metric == "pr_auc"
    assert verdict.challenger["pr_auc"] == pytest.approx(5 / 6)
    assert verdict.better is better


def test_a_one_class_slice_is_judged_by_accuracy():
    truth = np.array([1, 1, 1])
    verdict = retrain.judge(
        truth, (np.array([0.2, 0.3, 0.9]), 0.5), (np.array([0.7] * 3), 0.5), 0.01
    )

    assert verdict.metric == "accuracy"
    assert verdict.better


def test_site_labels_weigh_as_much_as_the_corpora_up_to_the_cap():
    assert retrain.site_weight(10, 1138, 10.0) == 10.0
    assert retrain.site_weight(569, 1138, 10.0) == 2.0
    assert retrain.site_weight(100_000, 1138, 10.0) == 1.0


@pytest.mark.parametrize(("max_tested", "tested"), [(5000, [8, 9]), (1, [9])])
def test_the_newest_labels_are_held_out(max_tested, tested):
    options = retrain.Options(corpora=(), holdout=0.2, max_tested=max_tested)
    older, newer = retrain.time_split(10, options)

    assert (list(older), list(newer)) == (list(range(10 - len(tested))), tested)
