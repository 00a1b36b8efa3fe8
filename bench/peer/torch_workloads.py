"""
AlphaOpt's peer benchmark, PyTorch side: the workloads of bench/peer/workloads.ts written for PyTorch eager
(float32, CPU or CUDA), same shapes and the same math.

Two ways to run it:
  * as a server for `npm run bench:peer` (the default): reads one JSON request per line on stdin and answers one
    JSON line on stdout, so the Node side can interleave its own repetitions with these;
  * by hand, where PyTorch is installed:  python3 bench/peer/torch_workloads.py --standalone [--device cuda]
  * peak RSS of one workload in a fresh process:  python3 bench/peer/torch_workloads.py --rss resnet --steps 5

Threads: torch.set_num_threads(--threads) and OMP_NUM_THREADS (the Node runner sets both to 1 by default).
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DEVICE = torch.device('cpu')


def sync():
    if DEVICE.type == 'cuda':
        torch.cuda.synchronize()


def one_hot_labels(batch, classes=10, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, classes, (batch,), generator=g).to(DEVICE)


def uniform(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(*shape, generator=g).to(DEVICE)


# (a) Xu et al.'s MNIST CNN ("Deep MNIST"): conv5x5x32 -> pool -> conv5x5x64 -> pool -> 512 -> 10, Adam.
def xu_cnn():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 64, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10),
    ).to(DEVICE)
    return supervised_step(model, uniform((50, 1, 28, 28), 3), one_hot_labels(50))


# (b) The L2L MNIST optimizee, 784-20(sigmoid)-10, Adam.
def mlp():
    model = torch.nn.Sequential(torch.nn.Linear(784, 20), torch.nn.Sigmoid(), torch.nn.Linear(20, 10)).to(DEVICE)
    return supervised_step(model, uniform((128, 784), 3), one_hot_labels(128))


def supervised_step(model, x, y):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


# (d) CIFAR ResNet-8 (He et al. 2016, one basic block per stage, width 16) over a flat parameter vector, batch
# statistics in batch norm, loss + gradient (no update), as AlphaOpt's suites run it.
def resnet8(batch=128, width=16, classes=10):
    slots = []
    offset = [0]

    def slot(shape):
        size = math.prod(shape)
        slots.append((offset[0], shape))
        offset[0] += size
        return len(slots) - 1

    plan = []
    c = 3
    plan.append(('conv', slot([width, c, 3, 3]), slot([width]), 1))
    plan.append(('bn', slot([width]), slot([width])))
    c = width
    for filters, stride in ((width, 1), (2 * width, 2), (4 * width, 2)):
        block = [slot([filters, c, 3, 3]), slot([filters]), slot([filters]), slot([filters, filters, 3, 3]), slot([filters]), slot([filters])]
        if stride != 1 or c != filters:
            block += [slot([filters, c, 1, 1]), slot([filters]), slot([filters])]
        plan.append(('residual', block, stride))
        c = filters
    plan.append(('dense', slot([classes, c]), slot([classes])))
    theta = (torch.randn(offset[0]) * 0.1).to(DEVICE).requires_grad_(True)
    x = uniform((batch, 3, 32, 32), 4)
    y = one_hot_labels(batch, classes, 5)

    def take(i):
        start, shape = slots[i]
        return theta[start:start + math.prod(shape)].view(shape)

    def bn(z, g, b):
        return F.batch_norm(z, None, None, take(g), take(b), training=True, eps=1e-5)

    def forward():
        z = x
        for layer in plan:
            if layer[0] == 'conv':
                z = F.conv2d(z, take(layer[1]), take(layer[2]), stride=layer[3], padding=1)
            elif layer[0] == 'bn':
                z = F.relu(bn(z, layer[1], layer[2]))
            elif layer[0] == 'residual':
                s, stride = layer[1], layer[2]
                inner = F.relu(bn(F.conv2d(z, take(s[0]), stride=stride, padding=1), s[1], s[2]))
                branch = bn(F.conv2d(inner, take(s[3]), padding=1), s[4], s[5])
                shortcut = z if len(s) == 6 else bn(F.conv2d(z, take(s[6]), stride=stride), s[7], s[8])
                z = F.relu(branch + shortcut)
            else:
                z = F.linear(z.mean(dim=(2, 3)), take(layer[1]), take(layer[2]))
        return F.cross_entropy(z, y)

    def step():
        (grad,) = torch.autograd.grad(forward(), theta)
        return float(grad[0])

    return step


# (c) matmul 512 x 512.
def matmul():
    a = torch.randn(512, 512).to(DEVICE)

    def step():
        out = torch.mm(a, a)
        sync()
        return out

    return step


def mlp_784_128_10_params():
    """The 101,770 parameters of the 784-128-10 MLP of bench/rules.ts, with fixed gradients of scale 1e-2."""
    shapes = [(784, 128), (128,), (128, 10), (10,)]
    params = [torch.zeros(s, device=DEVICE, requires_grad=True) for s in shapes]
    for i, p in enumerate(params):
        p.grad = torch.randn(p.shape, generator=torch.Generator().manual_seed(i)).to(DEVICE) * 1e-2
    return params


# Adam update of 101,770 parameters (fixed gradients).
def adam_update():
    params = mlp_784_128_10_params()
    optimizer = torch.optim.Adam(params, lr=1e-3)

    def step():
        optimizer.step()
        sync()

    return step


def flat_grad(params):
    return torch.cat([p.grad.reshape(-1) for p in params])


# The L2L LSTM optimizer: preprocessing (p = 10), two coordinate-wise LSTM layers of 20 units, a linear output x 0.1.
def lstm_update(hidden=20, p=10.0):
    params = mlp_784_128_10_params()
    n = sum(q.numel() for q in params)
    cells = [torch.nn.LSTMCell(2 if l == 0 else hidden, hidden).to(DEVICE) for l in range(2)]
    out = torch.nn.Linear(hidden, 1).to(DEVICE)
    state = [(torch.zeros(n, hidden, device=DEVICE), torch.zeros(n, hidden, device=DEVICE)) for _ in cells]
    threshold = math.exp(-p)

    @torch.no_grad()
    def step():
        g = flat_grad(params).unsqueeze(1)
        large = g.abs() >= threshold
        first = torch.where(large, torch.log(g.abs().clamp_min(threshold)) / p, torch.full_like(g, -1.0))
        second = torch.where(large, torch.sign(g), g * math.exp(p))
        x = torch.cat([first, second], 1)
        for l, cell in enumerate(cells):
            state[l] = cell(x, state[l])
            x = state[l][0]
        update = out(x).mul_(0.1).view(-1)
        pieces = torch.split(update, [q.numel() for q in params])
        for q, piece in zip(params, pieces):
            q.add_(piece.view(q.shape))
        sync()

    return step


# Li & Malik's coordinate-wise policy, frozen (H = 25 windows, an MLP [77 -> 32 -> 32 -> 1] per coordinate, tanh),
# action = log learning rate. The same algebra as src/learned/policy/frozenRule.ts.
def policy_update(history=25, hidden=32, base_lr=0.1):
    params = mlp_784_128_10_params()
    n = sum(q.numel() for q in params)
    features = 3 * history + 2
    w1 = torch.randn(features, hidden, device=DEVICE) * 0.1
    b1 = torch.zeros(hidden, device=DEVICE)
    w2 = torch.randn(hidden, hidden, device=DEVICE) * 0.1
    b2 = torch.zeros(hidden, device=DEVICE)
    w3 = torch.randn(hidden, 1, device=DEVICE) * 0.01
    b3 = torch.zeros(1, device=DEVICE)
    grads = [torch.zeros(n, device=DEVICE) for _ in range(history)]
    steps = [torch.zeros(n, device=DEVICE) for _ in range(history)]
    loss_changes = torch.zeros(1, history, device=DEVICE)

    def log4(rms):
        return torch.log10(rms + 1e-8) / 4

    @torch.no_grad()
    def step():
        g = flat_grad(params)
        grads.insert(0, g)
        grads.pop()
        wg = torch.stack(grads, 1)
        ws = torch.stack(steps, 1)
        rms_g = wg.square().mean(1, keepdim=True).sqrt()
        rms_s = ws.square().mean(1, keepdim=True).sqrt()
        z = (wg @ w1[:history]) / (rms_g + 1e-20) + (ws @ w1[history:2 * history]) / (rms_s + 1e-20)
        z += loss_changes @ w1[2 * history:3 * history] + b1
        z += torch.cat([log4(rms_g), log4(rms_s)], 1) @ w1[3 * history:]
        a = torch.tanh(torch.tanh(z) @ w2 + b2) @ w3 + b3
        update = -base_lr * torch.exp(a.view(-1).clamp(-8, 4)) * g
        steps.insert(0, update)
        steps.pop()
        pieces = torch.split(update, [q.numel() for q in params])
        for q, piece in zip(params, pieces):
            q.add_(piece.view(q.shape))
        sync()

    return step


WORKLOADS = {
    'cnn': xu_cnn,
    'resnet': resnet8,
    'mlp': mlp,
    'matmul': matmul,
    'adam': adam_update,
    'lstm': lstm_update,
    'policy': policy_update,
}


def timed(step, reps):
    times = []
    for _ in range(reps):
        sync()
        start = time.perf_counter()
        step()
        sync()
        times.append((time.perf_counter() - start) * 1000)
    return times


def describe():
    blas = sorted({line.split()[-1] for line in open('/proc/self/maps') if 'blas' in line}) if sys.platform == 'linux' else []
    return {
        'torch': torch.__version__,
        'python': sys.version.split()[0],
        'threads': torch.get_num_threads(),
        'device': str(DEVICE) if DEVICE.type == 'cpu' else torch.cuda.get_device_name(DEVICE),
        'blasLibraries': blas,
        'malloc': {k: v for k, v in os.environ.items() if k.startswith('MALLOC_')},
    }


def serve():
    steps = {}
    for line in sys.stdin:
        request = json.loads(line)
        if 'prepare' in request:
            for name in request['prepare']:
                if name not in WORKLOADS:
                    raise SystemExit(f"unknown workload '{name}'; expected one of {', '.join(WORKLOADS)}")
                steps[name] = WORKLOADS[name]()
                steps[name]()  # warm-up
            reply = {'ready': True, **describe()}
        else:
            reply = {'timesMs': timed(steps[request['workload']], request['reps'])}
        print(json.dumps(reply), flush=True)


def main():
    global DEVICE
    parser = argparse.ArgumentParser(description='PyTorch side of AlphaOpt\'s peer benchmark')
    parser.add_argument('--threads', type=int, default=None, help='torch.set_num_threads (default: PyTorch\'s own)')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    parser.add_argument('--standalone', action='store_true', help='time every workload and print a table')
    parser.add_argument('--reps', type=int, default=10)
    parser.add_argument('--rss', help='run this workload for --steps steps in this fresh process and print its peak RSS')
    parser.add_argument('--steps', type=int, default=5)
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    DEVICE = torch.device(args.device)
    if args.rss is not None:
        step = WORKLOADS[args.rss]()
        for _ in range(args.steps):
            step()
        # ru_maxrss is in KiB on Linux.
        print(json.dumps({'workload': args.rss, 'steps': args.steps, 'maxRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, **describe()}))
    elif args.standalone:
        print(json.dumps(describe()))
        for name, make in WORKLOADS.items():
            step = make()
            step()
            times = sorted(timed(step, args.reps))
            print(f'{name:8s} median {times[len(times) // 2]:9.2f} ms')
    else:
        serve()


if __name__ == '__main__':
    main()
