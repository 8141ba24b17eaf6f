#!/usr/bin/env python3
"""PyTorch eager peer of lepton-cert's MNIST reference workload, for issue 5's comparison.

The same model, hyperparameters and data as the spec's fashion-mlp / mnist-mlp workloads:
784-256-10, ReLU, softmax cross-entropy, Adam (lr 0.001, betas 0.9/0.999, eps 1e-8), batch 64,
10 epochs, inputs scaled to [0, 1], nn.Linear's default initialisation (uniform in
+-1/sqrt(fan_in), as lepton-cert draws it), a fresh shuffle every epoch, the last batch short.
Like lepton-cert's CUDA backend, the whole training set is copied to the GPU once before the
clock starts, every epoch's batches are gathered on the GPU, and each epoch ends with a device
synchronisation; evaluation on the test set happens after each epoch, outside the timed region.

Plain eager mode (no torch.compile, no CUDA graphs, no AMP, TF32 off): the baseline the issue
names. Prints one JSON object per run on stdout:
  {"peer": "pytorch-eager", "torch": "...", "device": "...", "train_time_s": ...,
   "epoch_seconds": [...], "test_accuracy": [...], "final_accuracy": ...}

  python3 bench/peers/pytorch_mnist_mlp.py --data /usr/share/datasets/fashion-mnist [--runs 3]

Not run where it was written (no GPU and no PyTorch there); bench/peers/compare_mnist_gpu.sh
runs it back to back with lepton-cert on a GPU node.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return shape, data[4 + 4 * dims :]


def find_split(directory, split):
    """train or t10k images and labels, raw or .gz, named as upstream or with '.' for '-'."""
    found = {}
    for kind, rank in (("images", "idx3"), ("labels", "idx1")):
        for stem in (f"{split}-{kind}-{rank}-ubyte", f"{split}-{kind}.{rank}-ubyte"):
            for suffix in ("", ".gz"):
                path = os.path.join(directory, stem + suffix)
                if os.path.exists(path):
                    found[kind] = path
        if kind not in found:
            raise FileNotFoundError(f"no {split} {kind} IDX file in {directory}")
    return found["images"], found["labels"]


def load(torch, directory, split, device):
    images_path, labels_path = find_split(directory, split)
    (count, rows, cols), pixels = read_idx(images_path)
    (label_count,), labels = read_idx(labels_path)
    if label_count != count:
        raise ValueError(f"{images_path}: {count} images, {label_count} labels")
    x = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(count, rows * cols)
    y = torch.frombuffer(bytearray(labels), dtype=torch.uint8).long()
    return x.to(device), y.to(device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="directory of train-/t10k- IDX files")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()

    import torch  # imported here so --help works without PyTorch

    if not torch.cuda.is_available():
        print("pytorch_mnist_mlp: no CUDA device visible to PyTorch", file=sys.stderr)
        return 2
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    train_x, train_y = load(torch, args.data, "train", device)
    test_x, test_y = load(torch, args.data, "t10k", device)
    test_inputs = test_x.float() / 255.0

    for run in range(args.runs):
        torch.manual_seed(args.seed + run)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
        ).to(device)
        optimizer = torch.optim.Adam(
            model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8
        )
        loss_function = torch.nn.CrossEntropyLoss()
        count = train_x.shape[0]
        epoch_seconds, accuracy = [], []
        for _ in range(args.epochs):
            torch.cuda.synchronize()
            start = time.perf_counter()
            order = torch.randperm(count, device=device)
            for first in range(0, count, args.batch):
                items = order[first : first + args.batch]
                inputs = train_x[items].float() / 255.0
                optimizer.zero_grad(set_to_none=True)
                loss = loss_function(model(inputs), train_y[items])
                loss.backward()
                optimizer.step()
            torch.cuda.synchronize()
            epoch_seconds.append(time.perf_counter() - start)
            with torch.no_grad():
                predicted = model(test_inputs).argmax(dim=1)
                accuracy.append((predicted == test_y).float().mean().item())
        print(
            json.dumps(
                {
                    "peer": "pytorch-eager",
                    "torch": torch.__version__,
                    "device": torch.cuda.get_device_name(device),
                    "train_time_s": sum(epoch_seconds),
                    "epoch_seconds": epoch_seconds,
                    "test_accuracy": accuracy,
                    "final_accuracy": accuracy[-1],
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
