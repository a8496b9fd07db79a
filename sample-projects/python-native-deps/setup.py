from setuptools import Extension, setup

setup(
    name="dataservice",
    ext_modules=[Extension("dataservice._fast", ["src/fast.c"],
                           extra_compile_args=["-O3", "-mavx2"])],
    install_requires=["numpy>=1.21"],
)
