#include <cstdio>
float score(const float *w, const float *x, int n);
int main() {
    float w[8] = {1, 2, 3, 4, 5, 6, 7, 8}, x[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    std::printf("%f\n", score(w, x, 8));
}
