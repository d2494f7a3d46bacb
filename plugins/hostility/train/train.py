#!/usr/bin/python3
"""
respite - hostility: train the weights of plugins/hostility (`make retrain`).

    train.py --data DIR --out FILE --lexicon-eval PROG --lexicon DIR
             [--extra LANG:FILE ...] [--report]

DIR holds hostility/germeval2018/germeval2018.training.txt (German tweets,
OFFENSE vs OTHER) and hostility/davidson2017/labeled_data.csv (English
tweets; classes 0 hate speech and 1 offensive against 2 neither; the rows
whose index is a multiple of 4 are held out for evaluation and never
trained on); and our own seed messages, seed-de.tsv and seed-en.tsv
beside this script, written to respite's definition of hostile (profanity
at a thing, self-deprecation, civil complaints and escalation are not),
each counting as SEED_WEIGHT tweets.  --extra de:FILE adds a site's own
labelled messages to a language's training set in the seeds' format, one
message a line, "1<TAB>text" for hostile, "0<TAB>text" for not, "#" a
comment; each counts --extra-weight times (default SEED_WEIGHT).

Per language, two models: one over the features alone, as features.py
computes them (the C plugin computes the same), and one that also weighs
the lexicon's findings in the message (its severity, a hit, a hit aimed
at the reader, its verdict: hostility_lexicon_features() in C), which
`[plugin.hostility] lexicon = yes` uses, so that how far to trust the
lexicon is learned rather than the higher of two severities.  The
findings come from the C lexicon itself (PROG -F, tests/bench/lexicon-eval
as `make retrain` builds it, over the word lists in --lexicon DIR).

Each model: NB-SVM style scaling (Wang and Manning 2012: each hashed
feature scaled by its log-count ratio between the classes, with
smoothing 1, computed on the training folds only), then L2-regularised
logistic regression (liblinear, class_weight=balanced, fixed C and seed);
the ratios are folded into the stored weights, so the plugin scores a
plain linear model.  5-fold out-of-fold margins of the training set give
the calibration: the slope of a Platt fit, and the point where severity
is 0.5 put at the margin with the best macro-F1 on those folds (never the
test set), or at margin 0 where PARAMS says so (English).  The final model is fitted on all of the language's training
data and its weights stored as int16 with one scale.  Everything is
seeded, so the output is the same bit for bit on the same library
versions and the same word lists.

--report also prints macro-F1 on the out-of-fold predictions and, if
present, on the test sets (quantised weights, as the plugin scores).
"""

import argparse
import csv
import math
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features as F  # noqa: E402

FORMAT_VERSION = 2
FEATURES_VERSION = 2
HEADER_SIZE = 32
MODEL_HEADER = 64
MODEL_LEXICON = 0x1
NLEX = 4
NLEX_MAX = 8
SEED = 20181
SEED_WEIGHT = 10.0
NB_ALPHA = 1.0
BITS = 18
# C per language and model (without, with the lexicon's findings): chosen
# by 5-fold macro-F1 on the training data (docs/classifier.md).  'best':
# severity 0.5 at the margin with the best 5-fold macro-F1; else at margin
# 0, the boundary of the balanced classes: Davidson is 83 % offensive, far
# from a helpdesk's messages, and its best margin (about -0.9) calls
# polite English hostile ("thank you ... have a nice day").
PARAMS = {'de': {'C': (10.0, 10.0), 'best': True},
          'en': {'C': (10.0, 10.0), 'best': False}}


def germeval(path):
    texts, labels = [], []
    with open(path, encoding='utf-8') as f:
        for line in f:
            p = line.rstrip('\n').split('\t')
            if len(p) < 2:
                continue
            texts.append(p[0].replace('|LBR|', '\n'))
            labels.append(1 if p[1] == 'OFFENSE' else 0)
    return texts, labels


def davidson(path, held_out):
    texts, labels = [], []
    with open(path, encoding='utf-8', newline='') as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            if (int(row[0]) % 4 == 0) != held_out:
                continue
            texts.append(row[6])
            labels.append(1 if int(row[5]) in (0, 1) else 0)
    return texts, labels


def extra(path):
    texts, labels = [], []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            lab, _, text = line.partition('\t')
            if lab not in ('0', '1') or not text:
                sys.exit('%s:%d: expected "0<TAB>text" or "1<TAB>text"'
                         % (path, n))
            texts.append(text)
            labels.append(int(lab))
    return texts, labels


def matrix(texts, bits):
    rows, cols, vals = [], [], []
    for r, t in enumerate(texts):
        fs, div = F.features(t.encode('utf-8'), bits)
        acc = {}
        for idx, sign in fs:
            acc[idx] = acc.get(idx, 0.0) + sign
        for idx in sorted(acc):
            if acc[idx] != 0.0:
                rows.append(r)
                cols.append(idx)
                vals.append(acc[idx] / div)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), 1 << bits),
                      dtype=np.float64)


def lexicon_findings(prog, lexdir, lang, texts):
    """The lexicon's findings as features (hostility_lexicon_features)."""
    recs = b''.join(lang.encode('ascii') + b'\t' + t.encode('utf-8') +
                    b'\0' for t in texts)
    out = subprocess.run([prog, '-F', '-l', lexdir], input=recs,
                         stdout=subprocess.PIPE, check=True).stdout
    rows = []
    for line in out.decode('ascii').splitlines():
        sev, hits, tgt = line.split()
        sev = float(sev)
        rows.append([sev, 1.0 if int(hits) > 0 else 0.0,
                     1.0 if int(tgt) > 0 else 0.0,
                     1.0 if sev >= 0.5 else 0.0])
    if len(rows) != len(texts):
        sys.exit('train.py: %s -F: %d findings for %d messages'
                 % (prog, len(rows), len(texts)))
    return np.array(rows, dtype=np.float64)


def nb_ratio(X, y):
    """Log-count ratio of each column (presence counts, smoothed)."""
    B = X.copy()
    B.data = np.ones_like(B.data)
    p = NB_ALPHA + np.asarray(B[y == 1].sum(0)).ravel()
    q = NB_ALPHA + np.asarray(B[y == 0].sum(0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


class NBLogistic:
    """Logistic regression over NB-scaled hashed features, then L (the
    lexicon's findings, unscaled) if given; coef_ has the ratios folded
    in, so it scores the unscaled features."""

    def __init__(self, C, nfeat):
        self.C = C
        self.nfeat = nfeat

    def fit(self, X, y, sample_weight=None):
        r = nb_ratio(X[:, :self.nfeat], y)
        r = np.concatenate([r, np.ones(X.shape[1] - self.nfeat)])
        lr = LogisticRegression(C=self.C, solver='liblinear',
                                class_weight='balanced', random_state=SEED,
                                max_iter=1000)
        lr.fit(X.multiply(r).tocsr(), y, sample_weight=sample_weight)
        self.coef_ = lr.coef_[0] * r
        self.intercept_ = float(lr.intercept_[0])
        return self

    def decision_function(self, X):
        return np.asarray(X @ self.coef_).ravel() + self.intercept_


def oof_margins(X, y, sw, C, nfeat):
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    m = np.zeros(len(y))
    for tr, te in folds.split(np.zeros(len(y)), y):
        md = NBLogistic(C, nfeat).fit(X[tr], y[tr], sample_weight=sw[tr])
        m[te] = md.decision_function(X[te])
    return m


def best_threshold(margins, y, sw):
    best = (-1.0, 0.0)
    for t in np.arange(-3.0, 3.0001, 0.01):
        t = round(float(t), 2)
        f = f1_score(y, margins >= t, average='macro', sample_weight=sw)
        if f > best[0] + 1e-12:
            best = (f, t)
    return best


def train(texts, labels, weights, lex, lang, bits, report):
    """The model of lang without (lex None) or with the lexicon's
    findings (lex: a row of NLEX of them a message)."""
    y = np.array(labels)
    sw = np.array(weights, dtype=np.float64)
    X = matrix(texts, bits)
    nfeat = X.shape[1]
    C = PARAMS[lang]['C'][0 if lex is None else 1]
    if lex is not None:
        X = hstack([X, csr_matrix(lex)]).tocsr()
    oof = oof_margins(X, y, sw, C, nfeat)
    f1, tb = best_threshold(oof, y, sw)
    t = tb if PARAMS[lang]['best'] else 0.0
    platt = LogisticRegression(C=1e6, solver='lbfgs', max_iter=1000)
    platt.fit(oof.reshape(-1, 1), y, sample_weight=sw)
    a = float(platt.coef_[0][0])
    b = -a * t
    m = NBLogistic(C, nfeat).fit(X, y, sample_weight=sw)
    w = m.coef_[:nfeat]
    lw = [float(v) for v in m.coef_[nfeat:]] + [0.0] * (NLEX_MAX - (
        0 if lex is None else NLEX))
    scale = float(np.max(np.abs(w))) / 32767.0
    q = np.rint(w / scale).astype('<i2')
    bias = m.intercept_
    if report:
        print('%s%s: %d messages (%d hostile), C %g: 5-fold macro-F1 %.3f '
              'at margin 0, %.3f at %.2f; severity = logistic(%.3f * '
              '(margin - %.2f))' % (lang, '' if lex is None else
                                    ' with the lexicon', len(y),
                                    int(y.sum()), C,
                                    f1_score(y, oof >= 0, average='macro',
                                             sample_weight=sw),
                                    f1, tb, a, t), file=sys.stderr)
    return {'lang': lang, 'bias': bias, 'scale': scale, 'a': a, 'b': b,
            'n': len(y), 'w': q, 'flags': 0 if lex is None else
            MODEL_LEXICON, 'lw': lw}


def score(md, texts, bits, lex=None):
    """Severity of each text as the plugin computes it (float64 here)."""
    out = []
    w = md['w'].astype(np.int64)
    for k, t in enumerate(texts):
        fs, div = F.features(t.encode('utf-8'), bits)
        s = sum(int(w[i]) * (1 if sg > 0 else -1) for i, sg in fs)
        z = np.float32(md['bias']) + s * float(np.float32(md['scale'])) / div
        if lex is not None:
            z += sum(float(np.float32(md['lw'][j])) * lex[k][j]
                     for j in range(NLEX))
        out.append(1 / (1 + math.exp(-(float(np.float32(md['a'])) * z +
                                       float(np.float32(md['b']))))))
    return np.array(out)


def write(path, models, bits):
    payload = b''
    for md in models:
        payload += struct.pack('<4sffffII4x8f', md['lang'].encode('ascii'),
                               md['bias'], md['scale'], md['a'], md['b'],
                               md['n'], md['flags'], *md['lw'])
        payload += md['w'].tobytes()
    header = struct.pack('<8sIIIIII', b'RSPTHOST', FORMAT_VERSION,
                         HEADER_SIZE, FEATURES_VERSION, bits, len(models),
                         zlib.crc32(payload) & 0xffffffff)
    assert len(header) == HEADER_SIZE
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(header + payload)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--lexicon-eval', required=True,
                    help='tests/bench/lexicon-eval, for the findings')
    ap.add_argument('--lexicon', required=True,
                    help='the directory of lexicon-de.txt, lexicon-en.txt')
    ap.add_argument('--bits', type=int, default=BITS)
    ap.add_argument('--extra', action='append', default=[])
    ap.add_argument('--extra-weight', type=float, default=SEED_WEIGHT)
    ap.add_argument('--no-seeds', action='store_true')
    ap.add_argument('--report', action='store_true')
    args = ap.parse_args()
    d = os.path.join(args.data, 'hostility')
    ge = os.path.join(d, 'germeval2018', 'germeval2018.training.txt')
    dv = os.path.join(d, 'davidson2017', 'labeled_data.csv')
    for p in (ge, dv):
        if not os.path.exists(p):
            sys.exit('train.py: %s: not found (the labelled sets live in '
                     '../shared/data, outside the repository)' % p)
    sets = {'de': germeval(ge), 'en': davidson(dv, False)}
    for lang in sets:
        sets[lang] = (sets[lang][0], sets[lang][1], [1.0] * len(sets[lang][0]))
    here = os.path.dirname(os.path.abspath(__file__))
    more = [] if args.no_seeds else [
        (lang, os.path.join(here, 'seed-%s.tsv' % lang), SEED_WEIGHT)
        for lang in ('de', 'en')]
    for e in args.extra:
        lang, _, path = e.partition(':')
        if lang not in sets or not path:
            sys.exit('train.py: --extra %s: expected de:FILE or en:FILE' % e)
        more.append((lang, path, args.extra_weight))
    for lang, path, weight in more:
        t, lab = extra(path)
        sets[lang][0].extend(t)
        sets[lang][1].extend(lab)
        sets[lang][2].extend([weight] * len(t))
    models = []
    for l in ('de', 'en'):
        lex = lexicon_findings(args.lexicon_eval, args.lexicon, l,
                               sets[l][0])
        for x in (None, lex):
            models.append(train(sets[l][0], sets[l][1], sets[l][2], x, l,
                                args.bits, args.report))
    write(args.out, models, args.bits)
    if args.report:
        tests = {'de': os.path.join(d, 'germeval2018',
                                    'germeval2018.test.txt')}
        for md in models:
            if md['lang'] == 'de' and os.path.exists(tests['de']):
                t, y = germeval(tests['de'])
                name = 'GermEval 2018 test'
            elif md['lang'] == 'en':
                t, y = davidson(dv, True)
                name = 'Davidson 2017 held out'
            else:
                continue
            lex = None
            if md['flags'] & MODEL_LEXICON:
                lex = lexicon_findings(args.lexicon_eval, args.lexicon,
                                       md['lang'], t)
                name += ', with the lexicon'
            p = score(md, t, args.bits, lex)
            print('%s: macro-F1 %.3f' % (name, f1_score(
                y, p >= 0.5, average='macro')), file=sys.stderr)


if __name__ == '__main__':
    main()
