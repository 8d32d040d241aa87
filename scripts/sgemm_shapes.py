# The sgemm speed of TF 2.15 (oneDNN) and numpy (OpenBLAS) on the wide MLPs' matrix shapes
# (BENCHMARKS.md, issue 26): `python scripts/sgemm_shapes.py` in the TF venv.
import time, numpy as np, os
import tensorflow as tf
shapes = {"fwd 256x784 @ 784x1024": (256,784,1024), "dW 784x256 @ 256x1024": (784,256,1024), "fwd 256x784 @ 784x2048": (256,784,2048), "dW 784x256 @ 256x2048": (784,256,2048), "square 2048": (2048,2048,2048)}
def best(f, n=20):
    ts=[]
    for _ in range(n):
        t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return min(ts)

for name,(m,k,n) in shapes.items():
    a=np.random.rand(m,k).astype(np.float32); b=np.random.rand(k,n).astype(np.float32)
    fl=2*m*k*n
    t_np=best(lambda: a@b)
    ta=tf.constant(a); tb=tf.constant(b)
    mm=tf.function(lambda x,y: tf.linalg.matmul(x,y))
    mm(ta,tb)
    t_tf=best(lambda: mm(ta,tb).numpy())
    print(f"{name:28s} numpy/OpenBLAS {fl/t_np/1e9:6.1f} GFLOP/s   TF oneDNN {fl/t_tf/1e9:6.1f} GFLOP/s")
