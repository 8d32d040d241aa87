/* MPI_Allreduce (sum of floats) time by buffer size: the transport cost under the gradient
 * all-reduce, without the Estimator's flattening or any wait for a slower rank (a barrier
 * precedes every call). BENCHMARKS.md.
 *   mpicc -O2 scripts/allreduce_bench.c -o /tmp/allreduce_bench
 *   mpirun --oversubscribe -np 2 /tmp/allreduce_bench */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int counts[] = {1, 101770, 669706, 1863690, 4194304};
    if (rank == 0) printf("| floats | bytes | us (median of 30) | GB/s (bytes / time) |\n|---|---|---|---|\n");
    for (int c = 0; c < 5; c++) {
        int n = counts[c];
        float *send = malloc(sizeof(float) * n), *recv = malloc(sizeof(float) * n);
        for (int i = 0; i < n; i++) send[i] = (float)i;
        double t[30];
        for (int r = -3; r < 30; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            MPI_Allreduce(send, recv, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            double dt = MPI_Wtime() - t0;
            if (r >= 0) t[r] = dt;
        }
        for (int i = 0; i < 30; i++)
            for (int j = i + 1; j < 30; j++)
                if (t[j] < t[i]) { double x = t[i]; t[i] = t[j]; t[j] = x; }
        double med = t[15];
        if (rank == 0)
            printf("| %d | %d | %.0f | %.2f |\n", n, n * 4, med * 1e6, n * 4.0 / med / 1e9);
        free(send);
        free(recv);
    }
    MPI_Finalize();
    return 0;
}
