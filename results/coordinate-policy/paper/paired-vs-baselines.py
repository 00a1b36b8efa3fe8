"""Paired comparisons (seed by seed, 100 scored seeds) of each family's own policies with SGD, momentum and Adam,
on final loss and AUC (mean loss over the run, i.e. speed). Run: python3 paired-vs-baselines.py > paired-vs-baselines.txt
(needs scipy for the two-sided Wilcoxon signed-rank p)."""
import gzip, json, statistics as st
from scipy.stats import wilcoxon

runs = [json.loads(line) for line in gzip.open('runs.jsonl.gz', 'rt')]
by = {(r['task'], r['optimizer'], r['seed']): r for r in runs if r.get('role') != 'tuning'}
own = {
    'logistic-regression': 'logistic',
    'robust-linear-regression': 'robust',
    'two-layer-net': 'nn',
}
for task, family in own.items():
    for policy in (f'paper variant, PPO ({family})', f'normalised, pretrained ({family})'):
        for base in ('sgd', 'momentum', 'adam'):
            for metric in ('finalLoss', 'auc'):
                a = [by[(task, policy, s)][metric] for s in range(100)]
                b = [by[(task, base, s)][metric] for s in range(100)]
                ratio = st.median(x / y for x, y in zip(a, b))
                better = sum(x < y for x, y in zip(a, b))
                print(f'{task:26s} {policy:36s} vs {base:8s} {metric:9s} median ratio {ratio:.3f}  better on {better}/100  Wilcoxon p = {wilcoxon(a, b).pvalue:.2g}')
