#!/usr/bin/python3
"""
respite - hostility: train the weights of plugins/hostility (`make retrain`).

    train.py --data DIR --out FILE [--extra LANG:FILE ...] [--report]

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

Per language: features as features.py computes them (the C plugin
computes the same), L2-regularised logistic regression (liblinear,
class_weight=balanced, fixed C and seed); then 5-fold out-of-fold margins
of the training set give the calibration: the slope of a Platt fit, and
the point where severity is 0.5 put at the margin with the best macro-F1
on those folds (never the test set).  The final model is fitted on all of
the language's training data and its weights stored as int16 with one
scale.  Everything is seeded, so the output is the same bit for bit on
the same library versions.

--report also prints macro-F1 on the out-of-fold predictions and, if
present, on the test sets (quantised weights, as the plugin scores).
"""

import argparse
import csv
import math
import os
import struct
import sys
import zlib

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features as F  # noqa: E402

FORMAT_VERSION = 1
FEATURES_VERSION = 1
HEADER_SIZE = 32
MODEL_HEADER = 32
SEED = 20181
SEED_WEIGHT = 10.0
# C per language: chosen by 5-fold macro-F1 on the training data.
PARAMS = {'de': {'C': 3.0}, 'en': {'C': 10.0}}


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


def best_threshold(margins, y, sw):
    best = (-1.0, 0.0)
    for t in np.arange(-3.0, 3.0001, 0.01):
        t = round(float(t), 2)
        f = f1_score(y, margins >= t, average='macro', sample_weight=sw)
        if f > best[0] + 1e-12:
            best = (f, t)
    return best


def train(texts, labels, weights, lang, bits, report):
    y = np.array(labels)
    sw = np.array(weights, dtype=np.float64)
    X = matrix(texts, bits)
    C = PARAMS[lang]['C']

    def model():
        return LogisticRegression(C=C, solver='liblinear',
                                  class_weight='balanced',
                                  random_state=SEED, max_iter=1000)

    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    oof = cross_val_predict(model(), X, y, cv=folds,
                            method='decision_function',
                            fit_params={'sample_weight': sw})
    f1, t = best_threshold(oof, y, sw)
    platt = LogisticRegression(C=1e6, solver='lbfgs', max_iter=1000)
    platt.fit(oof.reshape(-1, 1), y, sample_weight=sw)
    a = float(platt.coef_[0][0])
    b = -a * t
    m = model().fit(X, y, sample_weight=sw)
    w = m.coef_[0]
    scale = float(np.max(np.abs(w))) / 32767.0
    q = np.rint(w / scale).astype('<i2')
    bias = float(m.intercept_[0])
    if report:
        print('%s: %d messages (%d hostile), C %g: 5-fold macro-F1 %.3f '
              'at margin 0, %.3f at %.2f; severity = logistic(%.3f * '
              '(margin - %.2f))' % (lang, len(y), int(y.sum()), C,
                                    f1_score(y, oof >= 0, average='macro',
                                             sample_weight=sw),
                                    f1, t, a, t), file=sys.stderr)
    return {'lang': lang, 'bias': bias, 'scale': scale, 'a': a, 'b': b,
            'n': len(y), 'w': q}


def score(md, texts, bits):
    """Severity of each text as the plugin computes it (float64 here)."""
    out = []
    w = md['w'].astype(np.int64)
    for t in texts:
        fs, div = F.features(t.encode('utf-8'), bits)
        s = sum(int(w[i]) * (1 if sg > 0 else -1) for i, sg in fs)
        z = np.float32(md['bias']) + s * float(np.float32(md['scale'])) / div
        out.append(1 / (1 + math.exp(-(float(np.float32(md['a'])) * z +
                                       float(np.float32(md['b']))))))
    return np.array(out)


def write(path, models, bits):
    payload = b''
    for md in models:
        payload += struct.pack('<4sffffI8x', md['lang'].encode('ascii'),
                               md['bias'], md['scale'], md['a'], md['b'],
                               md['n'])
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
    ap.add_argument('--bits', type=int, default=20)
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
    models = [train(sets[l][0], sets[l][1], sets[l][2], l, args.bits,
                    args.report) for l in ('de', 'en')]
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
            p = score(md, t, args.bits)
            print('%s: macro-F1 %.3f' % (name, f1_score(
                y, p >= 0.5, average='macro')), file=sys.stderr)


if __name__ == '__main__':
    main()
