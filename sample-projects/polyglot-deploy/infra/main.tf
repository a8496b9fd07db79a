resource "aws_instance" "api" {
  ami           = var.ami_id
  instance_type = "c5.2xlarge"
}

resource "aws_lambda_function" "resize" {
  function_name = "resize"
  runtime       = "python3.12"
  handler       = "app.handler"
  architectures = ["x86_64"]
}
